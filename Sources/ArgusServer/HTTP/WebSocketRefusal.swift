import HummingbirdWebSocket
import NIOWebSocket

extension WebSocketOutboundWriter {
    /// Refuses a WebSocket as a route refuses a request: close code 4000 + the HTTP status
    /// (4400, 4401, 4403, 4404), reason `code: message`. A refused upgrade could only be a
    /// bare 400 (the upgrader has read the request), which a browser does not even show.
    func close(refusing error: APIError) async throws {
        try await close(.unknown(4000 + UInt16(error.status.code)), explaining: "\(error.code): \(error.message)")
    }

    /// Closes with `code`, the reason cut (between characters) to the 123 bytes a close frame holds.
    func close(_ code: WebSocketErrorCode, explaining reason: String) async throws {
        var cut = ""
        for character in reason {
            guard cut.utf8.count + character.utf8.count <= 123 else { break }
            cut.append(character)
        }
        try await close(code, reason: cut)
    }
}
