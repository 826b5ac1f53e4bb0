import HummingbirdWebSocket
import NIOWebSocket

/// How the server closes a live session besides refusals (which are 4000 + the HTTP
/// status the same refusal gets as a request: 4400, 4401, 4403).
enum LiveCloseCode {
    /// 4408: nothing came for `ARGUS_LIVE_IDLE_SECONDS`.
    static let idle = WebSocketErrorCode.unknown(4408)
    /// 1013 (try again later): every session is taken, or live detection is off.
    static let full = WebSocketErrorCode.unknown(1013)
}
