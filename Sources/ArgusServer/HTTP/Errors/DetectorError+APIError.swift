import ArgusVision

/// A model whose outputs its decoder cannot read: a server-side fault.
extension DetectorError: APIErrorConvertible {
    public var apiError: APIError { APIError(.internalServerError, code: "model_error", message: description) }
}
