import ArgusCore
import CImaging
import Foundation

/// A decoded 8-bit BGR image, upright (EXIF orientation applied). Immutable once
/// made: drawing returns a new image, so one instance can be shared across tasks.
public final class Image: @unchecked Sendable {
    let handle: OpaquePointer
    public let width: Int
    public let height: Int

    init(handle: OpaquePointer) {
        self.handle = handle
        width = Int(ci_image_width(handle))
        height = Int(ci_image_height(handle))
    }

    deinit { ci_image_free(handle) }

    /// Checks the header against `limits`, then decodes and orients the image.
    public static func decode(_ bytes: UnsafeRawBufferPointer, limits: ImageLimits = .default) throws(ImageError) -> Image {
        let header = try ImageHeader.read(bytes)
        let upright = header.orientedSize
        try limits.check(width: upright.width, height: upright.height)
        var message = ErrorMessage()
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
            let handle = message.call({
                ci_decode(
                    base, bytes.count, header.format == .jpeg ? 1 : 0, Int32(clamping: header.width),
                    Int32(clamping: header.height), $0, $1)
            })
        else {
            let detail = message.text
            throw detail.contains("truncated") ? .truncated(detail) : .corrupt(detail)
        }
        guard Int(ci_image_width(handle)) == header.width, Int(ci_image_height(handle)) == header.height else {
            ci_image_free(handle)
            throw .corrupt("the decoded size differs from the header")
        }
        if header.orientation != 1 {
            let status = message.call { ci_image_orient(handle, Int32(header.orientation), $0, $1) }
            guard status == 0 else {
                ci_image_free(handle)
                throw .corrupt(message.text)
            }
        }
        return Image(handle: handle)
    }

    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws(ImageError) -> Image {
        do {
            return try bytes.withUnsafeBytes { raw in try decode(raw, limits: limits) }
        } catch let error as ImageError {
            throw error
        } catch {
            throw .corrupt("\(error)")
        }
    }

    /// Reads and decodes an image file.
    public static func load(path: String, limits: ImageLimits = .default) throws -> Image {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError.corrupt("cannot read the file")
        }
        return try data.withUnsafeBytes { try decode($0, limits: limits) }
    }

    /// An image from tightly packed BGR bytes (width × height × 3).
    public convenience init(bgr pixels: [UInt8], width: Int, height: Int) {
        precondition(pixels.count == width * height * 3, "BGR buffer size does not match the dimensions")
        let handle = pixels.withUnsafeBufferPointer { ci_image_from_bgr($0.baseAddress, Int32(width), Int32(height), nil, 0) }
        self.init(handle: handle!)
    }

    /// The pixels as tightly packed BGR bytes.
    public var bgrPixels: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            ci_image_copy_bgr(handle, buffer.baseAddress)
            count = width * height * 3
        }
    }

    /// A bilinear resize (as the detectors' reference pipelines resize).
    public func resized(width: Int, height: Int) throws -> Image {
        try resize(width: width, height: height, ci_image_resized)
    }

    /// A resize without aliasing (area averaging when shrinking, bicubic when growing), as
    /// Pillow's Lanczos gives the models trained on it.
    public func resampled(width: Int, height: Int) throws -> Image {
        try resize(width: width, height: height, ci_image_resampled)
    }

    /// The `width`×`height` rectangle at (`x`, `y`), which must lie inside the image.
    public func cropped(x: Int, y: Int, width: Int, height: Int) throws -> Image {
        guard let x = Int32(exactly: x), let y = Int32(exactly: y), let w = Int32(exactly: width),
            let h = Int32(exactly: height)
        else { throw ImageError.corrupt("invalid crop \(width)×\(height)") }
        var message = ErrorMessage()
        guard let cropped = message.call({ ci_image_cropped(handle, x, y, w, h, $0, $1) }) else {
            throw ImageError.corrupt(message.text)
        }
        return Image(handle: cropped)
    }

    private func resize(
        width: Int, height: Int,
        _ function: (OpaquePointer?, Int32, Int32, UnsafeMutablePointer<CChar>?, Int) -> OpaquePointer?
    ) throws -> Image {
        guard let newWidth = Int32(exactly: width), let newHeight = Int32(exactly: height) else {
            throw ImageError.corrupt("invalid size \(width)×\(height)")
        }
        var message = ErrorMessage()
        guard let resized = message.call({ function(handle, newWidth, newHeight, $0, $1) }) else {
            throw ImageError.corrupt(message.text)
        }
        return Image(handle: resized)
    }

    public enum EncodedFormat: Sendable { case jpeg(quality: Int), png, webp(quality: Int) }

    public func encoded(as format: EncodedFormat) throws -> [UInt8] {
        var message = ErrorMessage()
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        let (code, quality): (ci_encode_format, Int32) =
            switch format {
            case .jpeg(let quality): (CI_ENCODE_JPEG, Int32(clamping: quality))
            case .png: (CI_ENCODE_PNG, 0)
            case .webp(let quality): (CI_ENCODE_WEBP, Int32(clamping: quality))
            }
        let status = message.call { ci_encode(handle, Int32(code.rawValue), quality, &buffer, &length, $0, $1) }
        guard status == 0, let buffer else { throw ImageError.corrupt(message.text) }
        defer { ci_buffer_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: length))
    }

    /// A circle to draw: centre and radius in pixels, with its label.
    public struct Circle: Sendable {
        public var centerX: Float
        public var centerY: Float
        public var radius: Float
        public var label: String

        public init(centerX: Float, centerY: Float, radius: Float, label: String) {
            self.centerX = centerX
            self.centerY = centerY
            self.radius = radius
            self.label = label
        }
    }

    /// `name 87%`, the label drawn beside a found object. A NaN or infinite confidence
    /// (which would trap in `Int(_:)`) reads 0 %.
    public static func label(_ name: String, confidence: Double) -> String {
        "\(name) \(Int(exactly: (confidence * 100).rounded()) ?? 0)%"
    }

    /// A copy with each detection drawn as a labelled box and each circle as a labelled circle.
    public func annotated(with detections: [Detection], circles: [Circle] = []) throws -> Image {
        guard let clone = ci_image_clone(handle) else { throw ImageError.corrupt("cannot copy the image") }
        let copy = Image(handle: clone)
        let thickness = Int32(max(2, min(width, height) / 300))
        for detection in detections {
            let colour = Palette.colour(for: detection.classId)
            let label = Self.label(detection.label, confidence: Double(detection.confidence))
            let box = detection.box
            ci_draw_box(copy.handle, box.x1, box.y1, box.x2, box.y2, colour.r, colour.g, colour.b, label, thickness)
        }
        for circle in circles {
            ci_draw_circle(copy.handle, circle.centerX, circle.centerY, circle.radius, 0, 200, 255, circle.label, thickness)
        }
        return copy
    }

    /// Fills `tensor` (3 × spec height × spec width floats) and returns how source pixels map into it.
    func fill(_ tensor: UnsafeMutablePointer<Float>, spec: ci_tensor_spec) throws -> InputTransform {
        var spec = spec
        var geometry = ci_geometry()
        var message = ErrorMessage()
        let status = message.call { ci_make_tensor(handle, &spec, tensor, &geometry, $0, $1) }
        guard status == 0 else { throw ImageError.corrupt(message.text) }
        return InputTransform(scaleX: geometry.scale_x, scaleY: geometry.scale_y, padX: geometry.pad_x, padY: geometry.pad_y)
    }
}

/// A fixed buffer the shim writes its error messages into.
struct ErrorMessage {
    private var storage = [CChar](repeating: 0, count: 512)

    mutating func call<Result>(_ body: (UnsafeMutablePointer<CChar>, Int) -> Result) -> Result {
        storage.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    }

    var text: String {
        let bytes = storage.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "unknown error" : String(decoding: bytes, as: UTF8.self)
    }
}

/// Distinct, stable colours per class id.
enum Palette {
    private static let colours: [(r: UInt8, g: UInt8, b: UInt8)] = [
        (255, 56, 56), (255, 157, 151), (255, 112, 31), (255, 178, 29), (207, 210, 49), (72, 249, 10),
        (146, 204, 23), (61, 219, 134), (26, 147, 52), (0, 212, 187), (44, 153, 168), (0, 194, 255),
        (52, 69, 147), (100, 115, 255), (0, 24, 236), (132, 56, 255), (82, 0, 133), (203, 56, 255),
        (255, 149, 200), (255, 55, 199),
    ]

    static func colour(for classId: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        // magnitude, not abs: abs(Int.min) traps.
        colours[Int(classId.magnitude % UInt(colours.count))]
    }
}
