import FluentKit
import Foundation

/// Queues templated mails as `mail.send` jobs, so that a mail survives a restart and a
/// slow or failing mail server is retried with the queue's backoff instead of holding up
/// (or failing) the request that caused it. The job renders and sends (`MailJobHandler`).
public struct Mailer: Sendable {
    static let kind = "mail.send"
    /// Mail servers come back; about a day of retries with the queue's capped backoff.
    static let attempts = 10

    let settings: MailSettings
    let from: MailAddress
    /// Where the links in mails point: `ARGUS_PUBLIC_URL`, without a trailing slash.
    let publicURL: String
    let templates: MailTemplates
    let transport: any MailTransport

    /// - Throws: `ConfigurationError` for a sender that is not an address, a template that
    ///   does not parse or a TLS setting that cannot be used.
    init(configuration: ServerConfiguration) throws(ConfigurationError) {
        let settings = configuration.mail
        self.settings = settings
        guard let from = MailAddress(parsing: settings.from) else {
            throw ConfigurationError(
                description: "ARGUS_MAIL_FROM=\(settings.from) is invalid: use user@example.com or Name <user@example.com>")
        }
        self.from = from
        publicURL = configuration.publicURL
        templates = try MailTemplates(overridesDirectory: settings.templatesDirectory)
        switch settings.transport {
        case .outbox: transport = OutboxMailTransport(directory: configuration.outboxPath)
        case .brevo: transport = BrevoMailTransport(settings: settings.brevo)
        case .off: transport = DisabledMailTransport()
        case .smtp:
            do {
                transport = try SMTPMailTransport(settings: settings.smtp)
            } catch {
                throw ConfigurationError(description: "ARGUS_SMTP_CA_FILE or the TLS set-up cannot be used: \(error)")
            }
        }
    }

    var enabled: Bool { settings.transport != .off }

    /// The payload of a `mail.send` job.
    struct Payload: Codable, Sendable {
        let mail: MailTemplates.Mail
        let to: MailAddress
        let values: [String: JSONValue]
        /// Fixed at queueing, so that a retried job sends the same message.
        let message_id: String
    }

    /// Adds a mail job on `db` (inside the caller's transaction, when it has one).
    /// - Returns: whether a job was added (no job when mail is off or the key was used).
    @discardableResult
    func queue(
        _ mail: MailTemplates.Mail, to recipient: MailAddress, values: [String: JSONValue], idempotencyKey: String? = nil,
        on db: any Database
    ) async throws -> Bool {
        guard enabled else { return false }
        if let idempotencyKey,
            try await JobRecord.query(on: db).filter(\.$kind == Self.kind).filter(\.$idempotencyKey == idempotencyKey).first()
                != nil
        {
            return false
        }
        var common: [String: JSONValue] = ["public_url": .string(publicURL), "email": .string(recipient.email)]
        if let name = recipient.name { common["name"] = .string(name) }
        let payload = Payload(
            mail: mail, to: recipient, values: common.merging(values) { $1 },
            message_id: "<\(UUID().lowercased)@\(from.email.split(separator: "@").last ?? "localhost")>")
        var request = JobQueue.Request(
            kind: Self.kind, payload: String(decoding: try JSONCoding.encoder.encode(payload), as: UTF8.self))
        request.maxAttempts = Self.attempts
        request.priority = 5
        request.idempotencyKey = idempotencyKey
        try await JobRecord.insertQueued(request, defaultTimeoutSeconds: 120, on: db)
        return true
    }

    /// The message a payload stands for.
    func message(for payload: Payload) -> MailMessage {
        let rendered = templates.render(payload.mail, payload.values.mapValues(\.mustacheValue))
        return MailMessage(
            from: from, to: [payload.to], subject: rendered.subject, text: rendered.text, html: rendered.html,
            messageId: payload.message_id)
    }
}

extension UserRecord {
    /// The user as a recipient; nil when the stored e-mail cannot be sent to.
    var mailAddress: MailAddress? { MailAddress(email: email, name: name) }
}

extension JSONValue {
    /// What mustache renders: whole numbers without a decimal point.
    var mustacheValue: Any {
        switch self {
        case .null: return ""
        case .bool(let value): return value
        case .number(let value):
            return value.rounded() == value && abs(value) < 1e15 ? Int(value) as Any : value as Any
        case .string(let value): return value
        case .array(let values): return values.map(\.mustacheValue)
        case .object(let values): return values.mapValues(\.mustacheValue)
        }
    }
}
