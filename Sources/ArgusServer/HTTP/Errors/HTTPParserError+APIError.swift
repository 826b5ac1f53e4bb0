import NIOHTTP1

/// The HTTP layer gave up on the request. A connection closed in the middle of its
/// body is the client hanging up (logged as such, never a 500); anything else is a
/// malformed request.
extension HTTPParserError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .invalidEOFState:
            APIError(.badRequest, code: "client_aborted", message: "the client closed the connection before the request ended")
        case .headerOverflow:
            APIError(
                .requestHeaderFieldsTooLarge, code: "headers_too_large", message: "the request headers are too large")
        default:
            APIError(.badRequest, code: "invalid_http", message: "the request is not valid HTTP/1.1: \(debugDescription)")
        }
    }
}
