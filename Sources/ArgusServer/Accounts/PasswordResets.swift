import FluentKit
import Foundation
import SQLKit

/// The password-reset flow: `forgot` queues a job with the e-mail given, whatever it is,
/// so that the answer (and its timing) never tells whether an account exists; the job
/// finds the account, makes a single-use token and queues the mail in the transaction
/// that ends it. `reset` spends the token, sets the password and ends every session.
struct PasswordResets: Sendable {
    static let kind = "account.password_reset"
    /// Reset mails one account gets in an hour, at most; further requests are dropped.
    static let perHour = 3

    let services: AccountServices
    let mailer: Mailer
    let jobs: JobQueue

    struct Payload: Codable {
        let email: String
    }

    func requestReset(email rawEmail: String) async throws {
        // A malformed address queues nothing, but answers the same.
        guard let email = EmailAddress.normalised(rawEmail), mailer.enabled else { return }
        var request = JobQueue.Request(
            kind: Self.kind, payload: String(decoding: try JSONCoding.encoder.encode(Payload(email: email)), as: UTF8.self))
        request.maxAttempts = 3
        request.priority = 10
        try await jobs.enqueue(request, defaultTimeoutSeconds: 60)
    }

    static let invalidToken = APIError(
        .badRequest, code: "invalid_reset_token", message: "the reset token is invalid, expired or already used")

    func reset(token: String, newPassword: String) async throws {
        let db = services.database.db
        guard
            let record = try await PasswordResetTokenRecord.query(on: db)
                .filter(\.$tokenHash == SecretTokens.sha256Hex(token)).with(\.$user).first(),
            record.usedAt == nil, record.expiresAt > Date(), !record.user.disabled
        else { throw Self.invalidToken }
        let user = record.user
        if let problem = PasswordPolicy.problem(with: newPassword, email: user.email) {
            throw APIError(.unprocessableContent, code: "weak_password", message: problem)
        }
        user.passwordHash = try await services.hasher.hash(newPassword)
        let userId = try user.requireID()
        let now = Date()
        try await db.transaction { db in
            let sql = db as! any SQLDatabase
            // Spent atomically: of two resets with one token only one wins.
            let spent = try await sql.update(PasswordResetTokenRecord.schema).set("used_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(try record.requireID())).where("used_at", .is, SQLLiteral.null)
                .returning("id").all()
            guard !spent.isEmpty else { throw Self.invalidToken }
            try await user.save(on: db)
            // Any other link still in a mailbox stops working too.
            try await PasswordResetTokenRecord.query(on: db).filter(\.$user.$id == userId).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: now).update()
            try await Sessions(services: services).revokeAll(userId: userId, on: db)
        }
        // Whoever locked the account out by guessing has no say any more.
        try await LoginThrottle(services: services).recordSuccess(user.email)
    }
}

/// `account.password_reset`: the job behind `POST /auth/password/forgot`.
struct PasswordResetJobHandler: JobHandler {
    let resets: PasswordResets

    var kind: String { PasswordResets.kind }
    var softTimeout: Duration { .seconds(30) }
    var hardTimeout: Duration { .seconds(60) }

    func run(_ job: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(PasswordResets.Payload.self)
        let services = resets.services
        let db = services.database.db
        guard let user = try await UserRecord.query(on: db).filter(\.$email == payload.email).first(), !user.disabled,
            let recipient = user.mailAddress
        else { return JobOutcome(result: #"{"sent":false}"#, clearsPayload: true) }
        let userId = try user.requireID()
        let recent = try await PasswordResetTokenRecord.query(on: db).filter(\.$user.$id == userId)
            .filter(\.$createdAt > Date().addingTimeInterval(-3600)).count()
        guard recent < PasswordResets.perHour else {
            return JobOutcome(result: #"{"sent":false,"throttled":true}"#, clearsPayload: true)
        }
        let token = "pr_" + SecretTokens.random(bytes: 32)
        let lifetime = services.settings.passwordResetLifetime
        let mailer = resets.mailer
        let values: [String: JSONValue] = [
            "token": .string(token), "reset_url": .string("\(mailer.publicURL)/reset-password?token=\(token)"),
            "minutes": .number((lifetime / 60).rounded()),
        ]
        // The token and its mail are written with the job's end, so a retried job leaves one
        // of each; the e-mail asked about leaves the jobs table then.
        return JobOutcome(result: #"{"sent":true}"#, clearsPayload: true) { db in
            try await PasswordResetTokenRecord(
                userId: userId, tokenHash: SecretTokens.sha256Hex(token), expiresAt: Date().addingTimeInterval(lifetime)
            ).create(on: db)
            try await mailer.queue(.passwordReset, to: recipient, values: values, on: db)
        }
    }
}
