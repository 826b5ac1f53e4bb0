import ArgusVision

/// An upload that is not a usable image: what is wrong with the file, never a 500.
extension ImageError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .empty: .badRequest("empty_file", description)
        case .unsupportedFormat: APIError(.unsupportedMediaType, code: "unsupported_media_type", message: description)
        case .tooLarge: APIError(.unprocessableContent, code: "image_too_large", message: description)
        case .tooSmall: APIError(.unprocessableContent, code: "image_too_small", message: description)
        case .truncated, .corrupt: APIError(.unprocessableContent, code: "invalid_image", message: description)
        }
    }
}
