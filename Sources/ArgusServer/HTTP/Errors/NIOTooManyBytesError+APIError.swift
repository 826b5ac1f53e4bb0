import NIOCore

/// A body collected past its limit (Hummingbird's `collectBody(upTo:)`).
extension NIOTooManyBytesError: APIErrorConvertible {
    public var apiError: APIError {
        let limit = maxBytes.map { " of \($0) bytes" } ?? ""
        return APIError(.contentTooLarge, code: "payload_too_large", message: "the request body exceeds the limit\(limit)")
    }
}
