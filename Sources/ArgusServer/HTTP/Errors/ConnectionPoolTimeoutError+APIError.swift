import AsyncKit

/// Every database connection stayed busy for the whole pool timeout: overload, not a fault.
extension ConnectionPoolTimeoutError: APIErrorConvertible {
    public var apiError: APIError {
        APIError(.serviceUnavailable, code: "busy", message: "the database is busy; retry shortly", headers: [.retryAfter: "2"])
    }
}
