/// Why a multipart/form-data body was refused. Every malformed or oversized input ends
/// here (never in a trap); `APIError.init(_:)` turns it into the JSON error answer.
public enum MultipartError: Error, Equatable, Sendable {
    /// The framing or a part header breaks RFC 2046 / RFC 7578; the text says where.
    case malformed(String)
    /// The body ended before the closing boundary.
    case truncated
    /// The whole body is over its limit (bytes).
    case bodyTooLarge(limit: Int)
    /// More parts than the limit allows.
    case tooManyParts(limit: Int)
    /// One part's header block is over its limit (bytes).
    case headersTooLarge(limit: Int)

    public var message: String {
        switch self {
        case .malformed(let detail): "the multipart body is malformed: \(detail)"
        case .truncated: "the multipart body ends before its closing boundary"
        case .bodyTooLarge(let limit): "the request body exceeds the limit of \(limit) bytes"
        case .tooManyParts(let limit): "the multipart body has more than \(limit) parts"
        case .headersTooLarge(let limit): "a part's headers exceed the limit of \(limit) bytes"
        }
    }
}
