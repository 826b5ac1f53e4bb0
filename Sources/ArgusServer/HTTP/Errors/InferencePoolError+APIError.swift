import ArgusVision

/// Every inference slot is busy and the queue is full: overload, retried shortly.
extension InferencePoolError: APIErrorConvertible {
    public var apiError: APIError {
        APIError(
            .serviceUnavailable, code: "busy", message: "all inference slots are busy; retry shortly",
            headers: [.retryAfter: "1"])
    }
}
