/// A refused multipart body: 413 for a broken size limit, 400 for everything else.
extension MultipartError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .bodyTooLarge:
            APIError(.contentTooLarge, code: "payload_too_large", message: message)
        case .malformed, .truncated, .tooManyParts, .headersTooLarge:
            APIError(.badRequest, code: "invalid_multipart", message: message)
        }
    }
}
