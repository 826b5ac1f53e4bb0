import Foundation

/// Hands a message to whatever delivers it: an SMTP server, the Brevo API or the outbox folder.
protocol MailTransport: Sendable {
    /// What the logs and `/health` call it (`smtp smtp.example.com:587`).
    var name: String { get }
    func send(_ message: MailMessage) async throws
}

/// Why a message was not handed over. `permanent` failures (a refused address, refused
/// credentials) go dead at once; the others are retried with the queue's backoff.
struct MailDeliveryError: Error, CustomStringConvertible {
    let description: String
    let permanent: Bool

    static func transient(_ description: String) -> MailDeliveryError {
        MailDeliveryError(description: description, permanent: false)
    }

    static func permanent(_ description: String) -> MailDeliveryError {
        MailDeliveryError(description: description, permanent: true)
    }
}

/// `ARGUS_MAIL_TRANSPORT=off`: every message is dropped (and logged by the mail job).
struct DisabledMailTransport: MailTransport {
    var name: String { "off" }
    func send(_ message: MailMessage) async throws {}
}
