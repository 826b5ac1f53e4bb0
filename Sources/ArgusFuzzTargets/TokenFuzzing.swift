import Foundation

@testable import ArgusServer

/// What a client hands back to the server as an opaque string: listing cursors, signed
/// file links and API keys.
enum TokenFuzzing {
    static let signedURLs = SignedURLs(secret: String(repeating: "fuzz", count: 8), lifetime: 3600)

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let cursor = KeysetCursor(token: text) {
            guard let again = KeysetCursor(token: cursor.token), again.micros == cursor.micros, again.id == cursor.id else {
                throw FuzzFailure("a cursor does not survive its own encoding")
            }
        }
        // A forged link never verifies; a token without a valid MAC is refused.
        if signedURLs.verify(text) != nil { throw FuzzFailure("an input verified as a signed link: \(text)") }
        _ = APIKeyFormat.prefix(of: text)
        _ = APIKeyFormat.looksLikeKey(text)
    }
}
