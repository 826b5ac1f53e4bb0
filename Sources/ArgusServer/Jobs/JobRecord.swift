import FluentKit
import Foundation
import SQLKit

/// One job of the durable queue (table `jobs`): what to run (`kind`, `payload`), when
/// (`run_at_us`, `priority`), and where it stands. A running job is held by one worker
/// until `lease_until_us`; `attempts` counts the claims and fences every later write
/// (a worker whose lease was taken over cannot complete the job).
final class JobRecord: Model, @unchecked Sendable {
    static let schema = "jobs"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    /// The handler's input, as JSON text.
    @Field(key: "payload") var payload: String
    @Field(key: "status") var status: String
    @Field(key: "priority") var priority: Int
    /// Attempts that count towards `max_attempts` (a job given back at shutdown does
    /// not count; a retried dead job starts again at 0).
    @Field(key: "attempts") var attempts: Int
    /// Every claim ever, never decreased: numbers the lease history and fences writes.
    @Field(key: "claims") var claims: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @Field(key: "timeout_seconds") var timeoutSeconds: Int
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    @OptionalField(key: "user_id") var userId: UUID?
    @Field(key: "run_at_us") var runAtMicros: Int64
    @OptionalField(key: "lease_until_us") var leaseUntilMicros: Int64?
    @OptionalField(key: "worker_id") var workerId: String?
    @Field(key: "progress") var progress: Int
    @OptionalField(key: "progress_message") var progressMessage: String?
    @OptionalField(key: "last_error") var lastError: String?
    /// The handler's result, as JSON text, written with the `done` status.
    @OptionalField(key: "result") var result: String?
    @Field(key: "cancel_requested") var cancelRequested: Bool
    @Field(key: "created_us") var createdMicros: Int64
    @OptionalField(key: "started_us") var startedMicros: Int64?
    @OptionalField(key: "finished_us") var finishedMicros: Int64?

    init() {}

    /// A new job, queued as `request` says.
    init(queued request: JobQueue.Request, defaultTimeoutSeconds: Int) {
        let now = Int64.nowMicros
        id = UUID()
        kind = request.kind
        payload = request.payload
        status = JobStatus.queued.rawValue
        priority = request.priority
        attempts = 0
        claims = 0
        maxAttempts = max(1, request.maxAttempts)
        timeoutSeconds = request.timeoutSeconds ?? defaultTimeoutSeconds
        idempotencyKey = request.idempotencyKey
        userId = request.userId
        runAtMicros = request.runAt.map { Int64($0.timeIntervalSince1970 * 1_000_000) } ?? now
        progress = 0
        cancelRequested = false
        createdMicros = now
    }
}

extension JobRecord {
    /// Adds a new queued job on `db` (inside the caller's transaction, when it has one)
    /// with one plain INSERT: enqueueing is the queue's hottest write, and Fluent's
    /// `create` reflects over the model's fields on every call.
    @discardableResult
    static func insertQueued(
        _ request: JobQueue.Request, defaultTimeoutSeconds: Int, on db: any Database
    ) async throws -> JobRecord {
        let job = JobRecord(queued: request, defaultTimeoutSeconds: defaultTimeoutSeconds)
        try await insert([job], on: db as! any SQLDatabase)
        return job
    }

    /// New queued jobs in one INSERT (see `JobInsertBatcher`).
    static func insert(_ jobs: [JobRecord], on sql: any SQLDatabase) async throws {
        guard !jobs.isEmpty else { return }
        var values = SQLQueryString("")
        for (index, job) in jobs.enumerated() {
            values.appendInterpolation(unsafeRaw: index == 0 ? "" : ", ")
            values.appendLiteral("(")
            values.appendInterpolation(binds: [job.id, job.kind, job.payload, job.status] as [any Encodable & Sendable])
            values.appendLiteral(", ")
            values.appendInterpolation(bind: job.priority)
            values.appendLiteral(", 0, 0, ")
            values.appendInterpolation(binds: [job.maxAttempts, job.timeoutSeconds] as [any Encodable & Sendable])
            values.appendLiteral(", ")
            values.appendInterpolation(bind: job.idempotencyKey)
            values.appendLiteral(", ")
            values.appendInterpolation(bind: job.userId)
            values.appendLiteral(", ")
            values.appendInterpolation(bind: job.runAtMicros)
            values.appendLiteral(", 0, ")
            values.appendInterpolation(bind: false)
            values.appendLiteral(", ")
            values.appendInterpolation(bind: job.createdMicros)
            values.appendLiteral(")")
        }
        try await sql.raw(
            """
            INSERT INTO jobs (id, kind, payload, status, priority, attempts, claims, max_attempts, timeout_seconds, \
            idempotency_key, user_id, run_at_us, progress, cancel_requested, created_us) VALUES \(values)
            """
        ).run()
        // As if read back: later saves update these rows.
        for job in jobs { job.$id.exists = true }
    }
}

extension JobRecord: KeysetOrdered {
    static var createdMicrosField: KeyPath<JobRecord, FieldProperty<JobRecord, Int64>> { \.$createdMicros }
    static var idField: KeyPath<JobRecord, IDProperty<JobRecord, UUID>> { \.$id }
}

/// Where a job stands.
enum JobStatus: String, Codable, CaseIterable, Sendable {
    /// Waiting for `run_at` and a free worker (also between retries).
    case queued
    case running
    case done
    /// Failed `max_attempts` times; kept with its last error.
    case dead
    case cancelled

    var isFinal: Bool { self == .done || self == .dead || self == .cancelled }
}
