import ArgusVision

/// A model the request named: unknown is the client's mistake, not installed is the
/// operator's (503 with the way to install it), anything else a server fault.
extension ModelStoreError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .unknownModel: APIError(.badRequest, code: "unknown_model", message: description)
        case .notInstalled: APIError(.serviceUnavailable, code: "model_unavailable", message: description)
        default: APIError(.internalServerError, code: "model_error", message: description)
        }
    }
}
