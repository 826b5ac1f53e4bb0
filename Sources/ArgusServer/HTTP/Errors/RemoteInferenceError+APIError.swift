import ArgusVision

/// The configured circles model server failed or answered nonsense: 502.
extension RemoteInferenceError: APIErrorConvertible {
    public var apiError: APIError { APIError(.badGateway, code: "circles_backend_failed", message: description) }
}
