import ArgusVision

/// Every inference slot is busy and a newcomer would wait too long: overload, retried
/// after the time the queue needs to drain that far.
extension InferencePoolError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .saturated(let seconds):
            APIError(
                .serviceUnavailable, code: "busy", message: "all inference slots are busy; retry in \(seconds) s",
                headers: [.retryAfter: String(seconds)])
        }
    }
}
