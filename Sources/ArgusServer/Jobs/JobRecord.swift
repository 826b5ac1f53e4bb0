import FluentKit
import Foundation

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
