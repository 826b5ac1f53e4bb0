/// Image types recognised from their first bytes. Only some are decodable.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg, png, webp, bmp
    case gif, tiff, svg, html, pdf, heic

    /// The formats Argus decodes.
    public var isSupported: Bool {
        switch self {
        case .jpeg, .png, .webp, .bmp: true
        default: false
        }
    }

    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .bmp: "image/bmp"
        case .gif: "image/gif"
        case .tiff: "image/tiff"
        case .svg: "image/svg+xml"
        case .html: "text/html"
        case .pdf: "application/pdf"
        case .heic: "image/heic"
        }
    }

    /// Identifies the type from magic bytes; nil when nothing matches.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        func starts(with magic: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + magic.count else { return false }
            for (i, byte) in magic.enumerated() where bytes[offset + i] != byte { return false }
            return true
        }
        if starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(with: Array("RIFF".utf8)) && starts(with: Array("WEBP".utf8), at: 8) { return .webp }
        if starts(with: Array("BM".utf8)) && bytes.count >= 26 { return .bmp }
        if starts(with: Array("GIF87a".utf8)) || starts(with: Array("GIF89a".utf8)) { return .gif }
        if starts(with: [0x49, 0x49, 0x2A, 0x00]) || starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts(with: Array("%PDF".utf8)) { return .pdf }
        if starts(with: Array("ftypheic".utf8), at: 4) || starts(with: Array("ftypmif1".utf8), at: 4) { return .heic }
        return sniffText(bytes)
    }

    /// SVG and HTML are text: look at the first non-blank characters.
    private static func sniffText(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        // Lossy decoding: a prefix may end inside a multi-byte character.
        let text = String(decoding: bytes.prefix(512), as: UTF8.self).lowercased()
        let trimmed = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        guard trimmed.hasPrefix("<") else { return nil }
        if trimmed.contains("<svg") { return .svg }
        if trimmed.hasPrefix("<!doctype html") || trimmed.contains("<html") || trimmed.contains("<body")
            || trimmed.contains("<head") || trimmed.contains("<script")
        {
            return .html
        }
        if trimmed.hasPrefix("<?xml") { return .svg }
        return nil
    }
}
