import CImaging
import Foundation

/// The file formats a cut-out can be encoded in.
public enum CutoutFormat: String, Sendable, CaseIterable {
    case png, webp, jpeg

    public var mediaType: String {
        switch self {
        case .png: "image/png"
        case .webp: "image/webp"
        case .jpeg: "image/jpeg"
        }
    }

    var code: ci_encode_format {
        switch self {
        case .png: CI_ENCODE_PNG
        case .webp: CI_ENCODE_WEBP
        case .jpeg: CI_ENCODE_JPEG
        }
    }

    func encoded(quality: Int) -> Image.EncodedFormat {
        switch self {
        case .png: .png
        case .webp: .webp(quality: quality)
        case .jpeg: .jpeg(quality: quality)
        }
    }
}

/// What is made of an image and its matte.
public struct CutoutOptions: Sendable {
    public enum Background: Sendable {
        /// The object on transparency (RGBA).
        case transparent
        /// The matte itself, as a grey image.
        case mask
        /// The object over a solid colour.
        case color(red: UInt8, green: UInt8, blue: UInt8)
        /// The object over another image, scaled to cover it.
        case image(Image)

        /// `#rrggbb`, `rrggbb`, `#rgb` or `rgb` (case-insensitive); nil for anything else.
        public static func color(hex text: String) -> Background? {
            var digits = Substring(text.trimmingCharacters(in: .whitespaces))
            if digits.hasPrefix("#") { digits = digits.dropFirst() }
            guard digits.count == 3 || digits.count == 6, digits.allSatisfy(\.isHexDigit) else { return nil }
            if digits.count == 3 { digits = Substring(digits.flatMap { [$0, $0] }) }
            guard let value = UInt32(digits, radix: 16) else { return nil }
            return .color(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
        }

        var isOpaque: Bool {
            switch self {
            case .transparent: false
            case .mask, .color, .image: true
            }
        }
    }

    public var background: Background = .transparent
    public var format: CutoutFormat = .png
    /// Cut to the object's bounds, with `padding` pixels around them.
    public var trim = false
    public var padding = 0
    /// Takes the old background's colour out of the edge pixels (no fringe).
    public var decontaminate = true
    public var quality = 90

    public init() {}
}

/// An encoded result and its size.
public struct RenderedImage: Sendable {
    public let bytes: [UInt8]
    public let format: CutoutFormat
    public let width: Int
    public let height: Int
}

public enum CutoutError: Error, Equatable, CustomStringConvertible {
    case jpegHasNoAlpha

    public var description: String {
        switch self {
        case .jpegHasNoAlpha: "JPEG has no transparency: use png or webp, or give a background colour or image"
        }
    }
}

extension Image {
    /// The image cut out by `matte` (its own size) as `options` say, encoded.
    public func cutout(_ matte: Matte, options: CutoutOptions = CutoutOptions()) throws -> RenderedImage {
        precondition(matte.width == width && matte.height == height, "the matte is not the image's size")
        if options.format == .jpeg && !options.background.isOpaque { throw CutoutError.jpegHasNoAlpha }
        let region =
            options.trim ? Self.trimmed(matte, padding: options.padding) : Matte.Region(x: 0, y: 0, width: width, height: height)
        if case .mask = options.background {
            let offset = region.y * width + region.x
            return try matte.alpha.withUnsafeBufferPointer { alpha in
                try Self.encode(alpha.baseAddress! + offset, region: region, channels: 1, rowBytes: width, options: options)
            }
        }
        var bgra = [UInt8](repeating: 0, count: width * height * 4)
        var message = ErrorMessage()
        let radius = options.decontaminate ? max(4, min(width, height) / 50) : 0
        let status = matte.alpha.withUnsafeBufferPointer { alpha in
            bgra.withUnsafeMutableBufferPointer { out in
                message.call { ci_cutout(handle, alpha.baseAddress, Int32(radius), out.baseAddress, $0, $1) }
            }
        }
        guard status == 0 else { throw ImageError.corrupt(message.text) }
        let offset = (region.y * width + region.x) * 4
        return try bgra.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress! + offset
            switch options.background {
            case .transparent, .mask:
                return try Self.encode(start, region: region, channels: 4, rowBytes: width * 4, options: options)
            case .color(let red, let green, let blue):
                return try Self.composite(
                    start, region: region, rowBytes: width * 4, over: nil, red, green, blue, options: options)
            case .image(let behind):
                return try Self.composite(start, region: region, rowBytes: width * 4, over: behind, 0, 0, 0, options: options)
            }
        }
    }

    /// The matte's bounds grown by `padding` and kept inside the image; the whole image
    /// when the matte is empty (there is nothing to trim to).
    static func trimmed(_ matte: Matte, padding: Int) -> Matte.Region {
        guard let bounds = matte.bounds else { return Matte.Region(x: 0, y: 0, width: matte.width, height: matte.height) }
        let padding = max(0, padding)
        let x1 = max(0, bounds.x - padding), y1 = max(0, bounds.y - padding)
        let x2 = min(matte.width, bounds.x + bounds.width + padding), y2 = min(matte.height, bounds.y + bounds.height + padding)
        return Matte.Region(x: x1, y: y1, width: x2 - x1, height: y2 - y1)
    }

    private static func composite(
        _ bgra: UnsafePointer<UInt8>, region: Matte.Region, rowBytes: Int, over behind: Image?, _ red: UInt8, _ green: UInt8,
        _ blue: UInt8, options: CutoutOptions
    ) throws -> RenderedImage {
        var message = ErrorMessage()
        guard
            let handle = message.call({
                ci_composite(bgra, Int32(region.width), Int32(region.height), rowBytes, behind?.handle, red, green, blue, $0, $1)
            })
        else { throw ImageError.corrupt(message.text) }
        let bytes = try Image(handle: handle).encoded(as: options.format.encoded(quality: options.quality))
        return RenderedImage(bytes: bytes, format: options.format, width: region.width, height: region.height)
    }

    private static func encode(
        _ pixels: UnsafePointer<UInt8>, region: Matte.Region, channels: Int, rowBytes: Int, options: CutoutOptions
    ) throws -> RenderedImage {
        var message = ErrorMessage()
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = message.call {
            ci_encode_pixels(
                pixels, Int32(region.width), Int32(region.height), Int32(channels), rowBytes, Int32(options.format.code.rawValue),
                Int32(options.quality), &out, &length, $0, $1)
        }
        guard status == 0, let out else { throw ImageError.corrupt(message.text) }
        defer { ci_buffer_free(out) }
        return RenderedImage(
            bytes: Array(UnsafeBufferPointer(start: out, count: length)), format: options.format, width: region.width,
            height: region.height)
    }
}
