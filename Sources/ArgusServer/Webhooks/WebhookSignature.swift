import Crypto
import Foundation

/// `X-Argus-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed
/// with the webhook's secret: the receiver recomputes it and rejects an old `t`.
enum WebhookSignature {
    static func header(secret: String, timestamp: Int, body: Data) -> String {
        "t=\(timestamp),v1=" + hex(secret: secret, timestamp: timestamp, body: body)
    }

    static func hex(secret: String, timestamp: Int, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
