/// Why an image could not be accepted or decoded. Callers map these to 4xx answers.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case unsupportedFormat(found: String)
    case truncated(String)
    case corrupt(String)
    case tooLarge(width: Int, height: Int, maxWidth: Int, maxHeight: Int)
    case tooSmall(width: Int, height: Int, minWidth: Int, minHeight: Int)

    public var description: String {
        switch self {
        case .empty: "the image is empty"
        case .unsupportedFormat(let found):
            "unsupported image type \(found); send JPEG, PNG, WebP or BMP"
        case .truncated(let detail): "the image is truncated: \(detail)"
        case .corrupt(let detail): "the image is corrupt: \(detail)"
        case .tooLarge(let w, let h, let mw, let mh):
            "the image is \(w)×\(h) pixels; the largest accepted is \(mw)×\(mh)"
        case .tooSmall(let w, let h, let mw, let mh):
            "the image is \(w)×\(h) pixels; the smallest accepted is \(mw)×\(mh)"
        }
    }
}

/// Dimension limits checked against the header before any pixel is decoded.
public struct ImageLimits: Sendable, Hashable {
    public var minWidth: Int
    public var minHeight: Int
    public var maxWidth: Int
    public var maxHeight: Int

    public init(minWidth: Int = 1, minHeight: Int = 1, maxWidth: Int = 8192, maxHeight: Int = 8192) {
        self.minWidth = minWidth
        self.minHeight = minHeight
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
    }

    public static let `default` = ImageLimits()

    public func check(width: Int, height: Int) throws(ImageError) {
        if width > maxWidth || height > maxHeight {
            throw .tooLarge(width: width, height: height, maxWidth: maxWidth, maxHeight: maxHeight)
        }
        if width < minWidth || height < minHeight {
            throw .tooSmall(width: width, height: height, minWidth: minWidth, minHeight: minHeight)
        }
    }
}
