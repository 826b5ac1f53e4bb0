import Foundation

/// Where a page of a listing ended: the last item's creation time in microseconds and
/// its id. Handed to clients as an opaque `next_cursor` token.
struct KeysetCursor: Sendable, Equatable {
    let micros: Int64
    let id: UUID

    init(micros: Int64, id: UUID) {
        self.micros = micros
        self.id = id
    }

    var token: String { SecretTokens.base64URL(Data("\(micros)|\(id.lowercased)".utf8)) }

    /// A token this server gave out, or nil.
    init?(token: String) {
        guard let data = SignedURLs.decode(token[...]), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.micros = micros
        self.id = id
    }

    /// The `cursor` query parameter: absent is the first page, anything else must be a
    /// token from an earlier page (an empty one included, 400).
    static func parameter(_ parameters: RequestParameters) throws(APIError) -> KeysetCursor? {
        guard let text = parameters["cursor"] else { return nil }
        guard let cursor = KeysetCursor(token: text) else {
            throw .badRequest("invalid_parameter", "cursor is not one this server gave out")
        }
        return cursor
    }
}
