import ArgusVision

/// ONNX Runtime failed on a session or a run: a server-side fault.
extension InferenceError: APIErrorConvertible {
    public var apiError: APIError { APIError(.internalServerError, code: "inference_failed", message: description) }
}
