import ArgusVision

/// Finds metadata blocks in an encoded image, walking its structure independently of
/// `MetadataStripper` (the oracle of the metadata fuzz target).
enum MetadataBlocks {
    /// The kind of the first metadata block found, or nil. The one block the stripper
    /// writes on purpose, an EXIF block holding only the orientation, does not count.
    static func first(in bytes: [UInt8], format: ImageFormat) -> String? {
        switch format {
        case .jpeg: jpeg(bytes)
        case .png: png(bytes)
        case .webp: webp(bytes)
        default: nil
        }
    }

    private static func jpeg(_ bytes: [UInt8]) -> String? {
        var offset = 2
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }
            if marker == 0xDA { return nil }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            if marker == 0xED { return "IPTC (APP13)" }
            if marker == 0xE1 {
                let payload = Array(bytes[(offset + 4)..<(offset + 2 + length)])
                // "Exif\0\0" + TIFF header (8) + one entry (2 + 12) + next IFD (4).
                let orientationOnly =
                    payload.count == 32 && payload.starts(with: Array("Exif".utf8))
                    && payload[16] == 0x12 && payload[17] == 0x01
                if !orientationOnly { return "APP1 (EXIF or XMP)" }
            }
            offset += 2 + length
        }
        return nil
    }

    private static func png(_ bytes: [UInt8]) -> String? {
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if ["eXIf", "tEXt", "iTXt", "zTXt"].contains(type) { return "PNG \(type)" }
            offset += 12 + length
        }
        return nil
    }

    private static func webp(_ bytes: [UInt8]) -> String? {
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = bytes[(offset + 4)..<(offset + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            if type == "EXIF" || type == "XMP " { return "WebP \(type)" }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
