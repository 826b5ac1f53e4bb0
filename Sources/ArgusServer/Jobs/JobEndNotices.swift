import FluentKit
import Foundation
import SQLKit

/// What a job's end tells, queued in the transaction that ends it, so that a notice goes
/// out exactly when its job really ended: the deliveries to the owner's webhooks and, when
/// the owner opted in, a job mail.
struct JobEndNotices: Sendable {
    let mailer: Mailer?

    /// Jobs that are themselves notices, or that a user never sees, send none.
    static let silentKinds: Set<String> = [WebhookEvents.deliveryKind, Mailer.kind, PasswordResets.kind]

    struct Ended: Sendable {
        let jobId: UUID
        let kind: String
        let userId: UUID?
        let status: JobStatus
        let result: String?
        let error: String?
        let attempts: Int
    }

    /// What the owner of an ending job wants told: how many webhooks, whether job mails.
    struct Wants: Sendable {
        let webhooks: Int
        let mail: Bool

        /// Read from `wantsColumns` in the row of the statement that ended the job.
        init(_ row: any SQLRow) throws {
            webhooks = try row.decodeNil(column: "wants_hooks") ? 0 : try row.decode(column: "wants_hooks", as: Int.self)
            mail = try row.decodeNil(column: "wants_mail") ? false : try row.decode(column: "wants_mail", as: Int.self) == 1
        }

        /// Whether anything is to be told.
        var any: Bool { webhooks > 0 || mail }
    }

    /// Added to the `RETURNING` of the `UPDATE jobs` that ends a job, so that every job's
    /// end reads what its owner wants told without a query of its own.
    static let wantsColumns: SQLQueryString = """
        (SELECT COUNT(*) FROM webhooks WHERE webhooks.user_id = jobs.user_id) AS wants_hooks, \
        (SELECT CASE WHEN users.job_emails AND NOT users.disabled THEN 1 ELSE 0 END FROM users \
        WHERE users.id = jobs.user_id) AS wants_mail
        """

    /// - Parameter wants: what the owner wants, when the caller read it with the job's end;
    ///   nil: looked up here.
    /// - Returns: how many jobs it queued (deliveries and mails).
    @discardableResult
    func queue(_ ended: Ended, wants known: Wants? = nil, on db: any Database) async throws -> Int {
        guard let userId = ended.userId, !Self.silentKinds.contains(ended.kind) else { return 0 }
        let wants: Wants
        if let known {
            wants = known
        } else {
            guard
                let row = try await (db as! any SQLDatabase).raw(
                    "SELECT \(Self.wantsColumns) FROM jobs WHERE id = \(bind: ended.jobId)"
                ).first()
            else { return 0 }
            wants = try Wants(row)
        }
        var queued = 0
        if wants.webhooks > 0 {
            queued += try await WebhookEvents.jobEnded(
                jobId: ended.jobId, kind: ended.kind, userId: userId, status: ended.status, result: ended.result,
                error: ended.error, on: db)
        }
        if let mailer, mailer.enabled, ended.status == .done || ended.status == .dead, wants.mail,
            let user = try await UserRecord.find(userId, on: db), let recipient = user.mailAddress
        {
            let id = ended.jobId.lowercased
            let values: [String: JSONValue] = [
                "job_id": .string(id), "short_id": .string(String(id.prefix(8))), "kind": .string(ended.kind),
                "succeeded": .bool(ended.status == .done), "error": .string(ended.error ?? ""),
                "attempts": .number(Double(ended.attempts)), "job_url": .string("\(mailer.publicURL)/api/v1/jobs/\(id)"),
            ]
            if try await mailer.queue(.jobEnded, to: recipient, values: values, on: db) { queued += 1 }
        }
        return queued
    }
}
