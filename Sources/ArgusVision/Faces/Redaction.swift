import ArgusCore
import CImaging

/// How a face is hidden.
public enum RedactionMethod: String, Sendable, CaseIterable {
    case blur, pixelate, box
}

extension Image {
    /// A copy with each box, grown by `margin` (a share of its width and height on every
    /// side), hidden by `method`.
    public func redacted(_ boxes: [BoundingBox], method: RedactionMethod, margin: Float) throws -> Image {
        guard let clone = ci_image_clone(handle) else { throw ImageError.corrupt("cannot copy the image") }
        let copy = Image(handle: clone)
        let code: Int32 =
            switch method {
            case .blur: Int32(CI_REDACT_BLUR.rawValue)
            case .pixelate: Int32(CI_REDACT_PIXELATE.rawValue)
            case .box: Int32(CI_REDACT_BOX.rawValue)
            }
        for box in boxes {
            let dx = box.width * margin, dy = box.height * margin
            var message = ErrorMessage()
            let status = message.call { ci_redact(copy.handle, box.x1 - dx, box.y1 - dy, box.x2 + dx, box.y2 + dy, code, $0, $1) }
            guard status == 0 else { throw ImageError.corrupt(message.text) }
        }
        return copy
    }
}
