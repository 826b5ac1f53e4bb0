import Foundation

/// How Argus sends e-mail (`ARGUS_MAIL_*`, `ARGUS_SMTP_*`, `ARGUS_BREVO_*`).
public struct MailSettings: Sendable {
    public enum Transport: String, Sendable, CaseIterable {
        /// One `.eml` file per message in `outboxDirectory`: the default, nothing to set up.
        case outbox
        case smtp
        /// Brevo's transactional e-mail API.
        case brevo
        /// No mail at all.
        case off
    }

    public var transport = Transport.outbox
    public var from = "Argus <argus@localhost>"
    /// nil: `<ARGUS_DATA_DIR>/outbox`.
    public var outboxDirectory: String?
    /// A folder whose `<name>.mustache` files replace the built-in templates of the same name.
    public var templatesDirectory: String?
    public var smtp = SMTPSettings()
    public var brevo = BrevoSettings()

    public init() {}
}

public struct SMTPSettings: Sendable {
    public enum Security: String, Sendable, CaseIterable {
        /// Plain connection upgraded with STARTTLS (the submission port, 587); refused when the server does not offer it.
        case starttls
        /// TLS from the first byte (port 465).
        case tls
        /// No encryption: only for a relay on this machine or a trusted network; AUTH is refused.
        case none
    }

    public var host = "localhost"
    /// 0: by `security` (587, 465 or 25).
    public var port = 0
    public var security = Security.starttls
    public var username: String?
    public var password: String?
    /// PEM certificates trusted besides the system's (a private CA, a test server).
    public var caFile: String?
    public var timeoutSeconds = 30

    public init() {}

    var effectivePort: Int {
        if port != 0 { return port }
        switch security {
        case .starttls: return 587
        case .tls: return 465
        case .none: return 25
        }
    }
}

public struct BrevoSettings: Sendable {
    public var apiKey: String?
    public var url = "https://api.brevo.com/v3/smtp/email"

    public init() {}
}
