import FluentKit
import Foundation
import SQLKit

/// The durable queue over the `jobs` table, on SQLite or PostgreSQL: enqueue, claim with
/// a lease, heartbeat, progress, complete, fail with retry, cancel, release and reap.
/// Execution is at least once: a worker that dies loses its lease and the job runs again;
/// every write after a claim is fenced by (worker, attempt), so a worker whose lease was
/// taken over can change nothing.
public struct JobQueue: Sendable {
    let database: ArgusDatabase
    /// Wakes this process's idle workers when a job is enqueued here.
    let signal: JobSignal
    let retry: RetryPolicy

    init(database: ArgusDatabase, signal: JobSignal = JobSignal(), retry: RetryPolicy = RetryPolicy()) {
        self.database = database
        self.signal = signal
        self.retry = retry
    }

    /// What to enqueue.
    public struct Request: Sendable {
        public var kind: String
        /// JSON text.
        public var payload: String = "{}"
        /// Higher runs first.
        public var priority = 0
        public var runAt: Date?
        public var maxAttempts = 5
        /// The hard timeout of one attempt; nil: the kind's own.
        public var timeoutSeconds: Int?
        /// A second enqueue with the same kind and key answers the first job.
        public var idempotencyKey: String?
        public var userId: UUID?

        public init(kind: String, payload: String = "{}") {
            self.kind = kind
            self.payload = payload
        }
    }

    /// Adds a job; with an idempotency key already used for this kind, the job that has it.
    @discardableResult
    func enqueue(_ request: Request, defaultTimeoutSeconds: Int = 300) async throws -> JobRecord {
        let db = database.db
        if let key = request.idempotencyKey,
            let existing = try await JobRecord.query(on: db).filter(\.$kind == request.kind).filter(\.$idempotencyKey == key)
                .first()
        {
            return existing
        }
        let job = JobRecord(queued: request, defaultTimeoutSeconds: defaultTimeoutSeconds)
        do {
            try await job.create(on: db)
        } catch {
            // A concurrent enqueue with the same key won: answer its job.
            guard (error as? any DatabaseError)?.isConstraintFailure == true, let key = request.idempotencyKey,
                let existing = try await JobRecord.query(on: db).filter(\.$kind == request.kind).filter(\.$idempotencyKey == key)
                    .first()
            else { throw error }
            return existing
        }
        await notify()
        return job
    }

    /// Wakes this process's workers at once, and on PostgreSQL every other process's too
    /// (`NOTIFY`, see `PostgresJobListener`). A failed notification costs only a poll.
    func notify() async {
        signal.fire()
        if database.isPostgres { _ = try? await database.sql.raw("NOTIFY \(unsafeRaw: PostgresJobListener.channel)").all() }
    }

    /// A job a worker holds.
    public struct Claim: Sendable {
        public let id: UUID
        public let kind: String
        public let payload: String
        /// This attempt's number towards `maxAttempts`.
        public let attempt: Int
        /// This claim's number among every claim of the job: unique, so it fences writes.
        public let claim: Int
        public let maxAttempts: Int
        public let timeoutSeconds: Int
        public let workerId: String
        /// From when it was due to this claim.
        public let waitedMicros: Int64
    }

    /// Takes the most urgent due job of `kinds`, or nil: one atomic statement, so two
    /// workers never take the same job (SQLite: the single writer; PostgreSQL:
    /// `FOR UPDATE SKIP LOCKED`). The claim and its attempt record commit together.
    func claim(workerId: String, kinds kindNames: [String], lease: Duration) async throws -> Claim? {
        guard !kindNames.isEmpty else { return nil }
        let now = Int64.nowMicros
        let until = now + lease.microseconds
        let skipLocked: SQLQueryString = database.isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        var kinds = SQLQueryString("")
        for (index, kind) in kindNames.enumerated() {
            kinds.appendInterpolation(unsafeRaw: index == 0 ? "" : ", ")
            kinds.appendInterpolation(bind: kind)
        }
        let kindList = kinds
        return try await database.db.transaction { db -> Claim? in
            let sql = db as! any SQLDatabase
            let query: SQLQueryString = """
                UPDATE jobs SET status = 'running', worker_id = \(bind: workerId), lease_until_us = \(bind: until), \
                attempts = attempts + 1, claims = claims + 1, started_us = \(bind: now), cancel_requested = \(bind: false) \
                WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at_us <= \(bind: now) \
                AND kind IN (\(kindList)) ORDER BY priority DESC, run_at_us, id LIMIT 1\(skipLocked)) \
                RETURNING id, kind, payload, attempts, claims, max_attempts, timeout_seconds, run_at_us
                """
            guard let row = try await sql.raw(query).first() else { return nil }
            let claim = Claim(
                id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
                payload: try row.decode(column: "payload", as: String.self),
                attempt: try row.decode(column: "attempts", as: Int.self), claim: try row.decode(column: "claims", as: Int.self),
                maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
                timeoutSeconds: try row.decode(column: "timeout_seconds", as: Int.self), workerId: workerId,
                waitedMicros: max(0, now - (try row.decode(column: "run_at_us", as: Int64.self))))
            let attempt = JobAttemptRecord()
            attempt.id = UUID()
            attempt.jobId = claim.id
            attempt.attempt = claim.claim
            attempt.workerId = workerId
            attempt.startedMicros = now
            try await attempt.create(on: db)
            return claim
        }
    }

    /// The fence of every write after a claim: still running, still this worker's, still this attempt.
    private func held(_ claim: Claim) -> SQLQueryString {
        "id = \(bind: claim.id) AND status = 'running' AND worker_id = \(bind: claim.workerId) AND claims = \(bind: claim.claim)"
    }

    public enum Lease: Sendable, Equatable {
        case held(cancelRequested: Bool)
        /// Taken over (expired and re-queued) or ended: stop working on it.
        case lost
    }

    /// Extends the lease; tells whether a cancel was asked for.
    func heartbeat(_ claim: Claim, lease: Duration) async throws -> Lease {
        let until = Int64.nowMicros + lease.microseconds
        let row = try await database.sql.raw(
            // The flag as an integer: booleans are 0/1 in SQLite and true/false in PostgreSQL.
            """
            UPDATE jobs SET lease_until_us = \(bind: until) WHERE \(held(claim)) \
            RETURNING CASE WHEN cancel_requested THEN 1 ELSE 0 END AS cancel
            """
        ).first()
        guard let row else { return .lost }
        return .held(cancelRequested: try row.decode(column: "cancel", as: Int.self) == 1)
    }

    func progress(_ claim: Claim, percent: Int, message: String?) async throws {
        _ = try await database.sql.raw(
            "UPDATE jobs SET progress = \(bind: min(100, max(0, percent))), progress_message = \(bind: message) WHERE \(held(claim)) RETURNING id"
        ).all()
    }

    /// Marks the job done with its result; `write` stores the handler's own rows in the
    /// same transaction, so a result is written exactly when the job is marked done.
    /// - Returns: false when the lease was lost (nothing is written).
    func complete(
        _ claim: Claim, result: String, write: (@Sendable (any Database) async throws -> Void)? = nil
    ) async throws
        -> Bool
    {
        let now = Int64.nowMicros
        do {
            let deliveries = try await database.db.transaction { db -> Int in
                let sql = db as! any SQLDatabase
                let marked = try await sql.raw(
                    """
                    UPDATE jobs SET status = 'done', result = \(bind: result), progress = 100, finished_us = \(bind: now), \
                    lease_until_us = NULL WHERE \(held(claim)) RETURNING id, user_id
                    """
                ).first()
                guard let marked else { throw LeaseLost() }
                try await write?(db)
                let queued = try await WebhookEvents.jobEnded(
                    jobId: claim.id, kind: claim.kind,
                    userId: try marked.decodeNil(column: "user_id") ? nil : try marked.decode(column: "user_id", as: UUID.self),
                    status: .done, result: result, error: nil, on: db)
                try await endAttempt(claim, outcome: "done", error: nil, at: now, on: sql)
                return queued
            }
            // Other processes need waking only for the deliveries this queued.
            if deliveries > 0 { await notify() } else { signal.fire() }
            return true
        } catch is LeaseLost {
            return false
        }
    }

    private struct LeaseLost: Error {}

    /// Records a failed attempt: queued again after a backoff, or dead after the last attempt.
    /// - Returns: the job's new status, or nil when the lease was lost.
    @discardableResult
    func fail(_ claim: Claim, error: String, outcome: String = "failed", permanent: Bool = false) async throws -> JobStatus? {
        let now = Int64.nowMicros
        let final = permanent || claim.attempt >= claim.maxAttempts
        let status: JobStatus = final ? .dead : .queued
        let runAt = now + retry.delay(afterAttempt: claim.attempt).microseconds
        return try await database.db.transaction { db -> JobStatus? in
            let sql = db as! any SQLDatabase
            let marked = try await sql.raw(
                """
                UPDATE jobs SET status = \(bind: status.rawValue), last_error = \(bind: error), run_at_us = \(bind: runAt), \
                lease_until_us = NULL, worker_id = NULL, finished_us = \(bind: final ? now : nil as Int64?) \
                WHERE \(held(claim)) RETURNING id, user_id
                """
            ).first()
            guard let marked else { return nil }
            try await endAttempt(claim, outcome: outcome, error: error, at: now, on: sql)
            if final {
                _ = try await WebhookEvents.jobEnded(
                    jobId: claim.id, kind: claim.kind,
                    userId: try marked.decodeNil(column: "user_id") ? nil : try marked.decode(column: "user_id", as: UUID.self),
                    status: .dead, result: nil, error: error, on: db)
            }
            return status
        }
    }

    /// The handler stopped because a cancel was asked for.
    func cancelled(_ claim: Claim) async throws {
        let now = Int64.nowMicros
        try await database.db.transaction { db in
            let sql = db as! any SQLDatabase
            guard
                try await sql.raw(
                    "UPDATE jobs SET status = 'cancelled', finished_us = \(bind: now), lease_until_us = NULL WHERE \(held(claim)) RETURNING id"
                ).first() != nil
            else { return }
            try await endAttempt(claim, outcome: "cancelled", error: nil, at: now, on: sql)
        }
    }

    /// Gives the job back at shutdown: queued again at once, this attempt not counted.
    func release(_ claim: Claim) async throws {
        let now = Int64.nowMicros
        try await database.db.transaction { db in
            let sql = db as! any SQLDatabase
            guard
                try await sql.raw(
                    """
                    UPDATE jobs SET status = 'queued', attempts = attempts - 1, worker_id = NULL, lease_until_us = NULL, \
                    run_at_us = \(bind: now) WHERE \(held(claim)) RETURNING id
                    """
                ).first() != nil
            else { return }
            try await endAttempt(claim, outcome: "released", error: nil, at: now, on: sql)
        }
    }

    private func endAttempt(_ claim: Claim, outcome: String, error: String?, at now: Int64, on sql: any SQLDatabase) async throws
    {
        _ = try await sql.raw(
            """
            UPDATE job_attempts SET ended_us = \(bind: now), outcome = \(bind: outcome), error = \(bind: error) \
            WHERE job_id = \(bind: claim.id) AND attempt = \(bind: claim.claim) RETURNING id
            """
        ).all()
    }

    /// Re-queues (or buries, after the last attempt) the running jobs whose lease expired:
    /// their worker died or stalled.
    /// - Returns: how many jobs it took back.
    @discardableResult
    func reap() async throws -> Int {
        let now = Int64.nowMicros
        return try await database.db.transaction { db -> Int in
            let sql = db as! any SQLDatabase
            let expired = try await sql.raw(
                """
                UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
                worker_id = NULL, lease_until_us = NULL, run_at_us = \(bind: now), \
                last_error = 'the worker stopped holding the job (lease expired)', \
                finished_us = CASE WHEN attempts >= max_attempts THEN \(bind: now) ELSE NULL END \
                WHERE status = 'running' AND lease_until_us < \(bind: now) RETURNING id, claims, status, kind, user_id
                """
            ).all()
            for row in expired {
                let id = try row.decode(column: "id", as: UUID.self)
                let attempt = try row.decode(column: "claims", as: Int.self)
                if try row.decode(column: "status", as: String.self) == JobStatus.dead.rawValue {
                    try await WebhookEvents.jobEnded(
                        jobId: id, kind: try row.decode(column: "kind", as: String.self),
                        userId: try row.decodeNil(column: "user_id") ? nil : try row.decode(column: "user_id", as: UUID.self),
                        status: .dead, result: nil, error: "the worker stopped holding the job (lease expired)", on: db)
                }
                _ = try await sql.raw(
                    """
                    UPDATE job_attempts SET ended_us = \(bind: now), outcome = 'lost' \
                    WHERE job_id = \(bind: id) AND attempt = \(bind: attempt) AND ended_us IS NULL RETURNING id
                    """
                ).all()
            }
            return expired.count
        }
    }

    /// Cancels a queued job at once; a running one is asked to stop (its worker notices
    /// at its next heartbeat). Final jobs are left as they are.
    func requestCancel(_ id: UUID) async throws {
        let now = Int64.nowMicros
        _ = try await database.sql.raw(
            "UPDATE jobs SET status = 'cancelled', finished_us = \(bind: now) WHERE id = \(bind: id) AND status = 'queued' RETURNING id"
        ).all()
        _ = try await database.sql.raw(
            "UPDATE jobs SET cancel_requested = \(bind: true) WHERE id = \(bind: id) AND status = 'running' RETURNING id"
        ).all()
    }

    /// Runs a dead or cancelled job again, with a fresh count of attempts.
    /// - Returns: false when the job is not dead or cancelled.
    func retryJob(_ id: UUID) async throws -> Bool {
        let now = Int64.nowMicros
        let row = try await database.sql.raw(
            """
            UPDATE jobs SET status = 'queued', attempts = 0, run_at_us = \(bind: now), finished_us = NULL, \
            cancel_requested = \(bind: false), progress = 0, progress_message = NULL \
            WHERE id = \(bind: id) AND status IN ('dead', 'cancelled') RETURNING id
            """
        ).first()
        if row != nil { await notify() }
        return row != nil
    }
}

/// Exponential backoff with full jitter, capped: attempt n waits a random time in
/// `0 ... min(cap, base × 2^(n-1))`, so retries of many failed jobs spread out.
public struct RetryPolicy: Sendable {
    public var base: Duration = .seconds(2)
    public var cap: Duration = .seconds(600)

    public init(base: Duration = .seconds(2), cap: Duration = .seconds(600)) {
        self.base = base
        self.cap = cap
    }

    func delay(afterAttempt attempt: Int) -> Duration {
        let ceiling = min(cap.microseconds, base.microseconds << min(30, max(0, attempt - 1)))
        return .microseconds(Int64.random(in: 0...max(0, ceiling)))
    }
}

extension Duration {
    var microseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}
