import FluentKit
import Foundation
import NIOCore
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
    /// Webhook deliveries and mails, queued with a job's end.
    let notices: JobEndNotices
    /// Concurrent enqueues, written together.
    let inserts: JobInsertBatcher

    init(
        database: ArgusDatabase, signal: JobSignal = JobSignal(), retry: RetryPolicy = RetryPolicy(),
        notices: JobEndNotices = JobEndNotices(mailer: nil)
    ) {
        self.database = database
        self.signal = signal
        self.retry = retry
        self.notices = notices
        inserts = JobInsertBatcher(database: database)
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
        let job: JobRecord
        do {
            if request.idempotencyKey == nil {
                job = JobRecord(queued: request, defaultTimeoutSeconds: defaultTimeoutSeconds)
                try await inserts.insert(job)
            } else {
                // Its constraint failure is the answer to a race: written alone.
                job = try await JobRecord.insertQueued(request, defaultTimeoutSeconds: defaultTimeoutSeconds, on: db)
            }
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
        /// When this claim was made: the start of its row in `job_attempts`.
        public let startedMicros: Int64
        /// From when it was due to this claim.
        public let waitedMicros: Int64
    }

    /// What a worker asks for when it claims: its id, the kinds it runs and its lease.
    struct ClaimRequest: Sendable {
        let workerId: String
        let kinds: [String]
        let lease: Duration
    }

    /// Takes the most urgent due job of `kinds`, or nil: one atomic statement, so two
    /// workers never take the same job (SQLite: the single writer; PostgreSQL:
    /// `FOR UPDATE SKIP LOCKED`). Its row in `job_attempts` is written when the claim
    /// ends (`endAttempt`), from the claim's number, worker and start kept in the job.
    func claim(workerId: String, kinds: [String], lease: Duration) async throws -> Claim? {
        try await claim(ClaimRequest(workerId: workerId, kinds: kinds, lease: lease), on: database.sql)
    }

    /// How long until the next queued job of `kinds` is due (a retry after its backoff, a
    /// job enqueued to run later); nil when none is queued. An idle worker sleeps no
    /// longer than this, so a retry due in 5 ms does not wait for the next poll.
    func untilNextDue(kinds: [String]) async throws -> Duration? {
        guard !kinds.isEmpty,
            let row = try await database.reader.raw(
                "SELECT MIN(run_at_us) AS due FROM jobs WHERE status = 'queued' AND kind IN (\(binds: kinds))"
            ).first(), try !row.decodeNil(column: "due")
        else { return nil }
        return .microseconds(max(0, try row.decode(column: "due", as: Int64.self) - Int64.nowMicros))
    }

    /// The claim, alone or inside the caller's transaction.
    private func claim(_ request: ClaimRequest, on sql: any SQLDatabase) async throws -> Claim? {
        guard !request.kinds.isEmpty else { return nil }
        let (query, now) = claimStatement(request)
        return try await sql.raw(query).first().map { try claimed($0, request, at: now) }
    }

    /// The claim, as a future on the connection's event loop (see `complete`).
    private func claimFuture(_ request: ClaimRequest, on sql: any SQLDatabase) -> EventLoopFuture<Claim?> {
        guard !request.kinds.isEmpty else { return sql.eventLoop.makeSucceededFuture(nil) }
        let (query, now) = claimStatement(request)
        return sql.raw(query).first().flatMapThrowing { row in try row.map { try self.claimed($0, request, at: now) } }
    }

    private func claimStatement(_ request: ClaimRequest) -> (SQLQueryString, Int64) {
        let now = Int64.nowMicros
        let until = now + request.lease.microseconds
        let skipLocked: SQLQueryString = database.isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        let query: SQLQueryString = """
            UPDATE jobs SET status = 'running', worker_id = \(bind: request.workerId), lease_until_us = \(bind: until), \
            attempts = attempts + 1, claims = claims + 1, started_us = \(bind: now), cancel_requested = \(bind: false) \
            WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at_us <= \(bind: now) \
            AND kind IN (\(binds: request.kinds)) ORDER BY priority DESC, run_at_us, id LIMIT 1\(skipLocked)) \
            RETURNING id, kind, payload, attempts, claims, max_attempts, timeout_seconds, run_at_us
            """
        return (query, now)
    }

    private func claimed(_ row: any SQLRow, _ request: ClaimRequest, at now: Int64) throws -> Claim {
        Claim(
            id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
            payload: try row.decode(column: "payload", as: String.self),
            attempt: try row.decode(column: "attempts", as: Int.self), claim: try row.decode(column: "claims", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            timeoutSeconds: try row.decode(column: "timeout_seconds", as: Int.self), workerId: request.workerId,
            startedMicros: now, waitedMicros: max(0, now - (try row.decode(column: "run_at_us", as: Int64.self))))
    }

    /// The fence of every write after a claim: still running, still this worker's, still this attempt.
    func held(_ claim: Claim) -> SQLQueryString {
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
    func complete(_ claim: Claim, outcome: JobOutcome) async throws -> Bool {
        try await complete(claim, outcome: outcome, thenClaim: nil).completed
    }

    /// Completes, and with `next` claims the worker's next job in the same transaction:
    /// a busy worker goes from one job to the next without a transaction of its own for
    /// the claim, or a wake-up in between.
    /// - Returns: whether the job was completed (false: the lease was lost, nothing is
    ///   written), and the next job, if one was due.
    func complete(
        _ claim: Claim, outcome: JobOutcome, thenClaim next: ClaimRequest?
    ) async throws -> (
        completed: Bool, next: Claim?
    ) {
        let now = Int64.nowMicros
        let result = outcome.result
        let payload: SQLQueryString = outcome.clearsPayload ? ", payload = '{}'" : ""
        let notices = self.notices
        // Chained futures, not async steps: every step runs on the connection's event
        // loop as the previous one completes, instead of hopping to a task and back
        // between statements while the transaction holds the (SQLite: only) connection.
        // This is the queue's hottest transaction: one per job.
        let transaction = database.db.transaction { db -> EventLoopFuture<(Int, Claim?)> in
            let sql = db as! any SQLDatabase
            return sql.raw(
                """
                UPDATE jobs SET status = 'done', result = \(bind: result), progress = 100, finished_us = \(bind: now), \
                lease_until_us = NULL\(payload) WHERE \(self.held(claim)) RETURNING id, user_id, \(JobEndNotices.wantsColumns)
                """
            ).first().flatMap { marked -> EventLoopFuture<Int> in
                guard let marked else { return db.eventLoop.makeFailedFuture(LeaseLost()) }
                let wants: JobEndNotices.Wants
                let userId: UUID?
                do {
                    (wants, userId) = (try .init(marked), try marked.optionalUUID("user_id"))
                } catch {
                    return db.eventLoop.makeFailedFuture(error)
                }
                // The handler's rows and the notices are async code; most jobs have neither.
                guard outcome.write != nil || (wants.any && userId != nil) else { return db.eventLoop.makeSucceededFuture(0) }
                return db.eventLoop.makeFutureWithTask {
                    try await outcome.write?(db)
                    return try await notices.queue(
                        .init(
                            jobId: claim.id, kind: claim.kind, userId: userId, status: .done, result: result, error: nil,
                            attempts: claim.attempt), wants: wants, on: db)
                }
            }.flatMap { queued in
                Self.insertAttemptFuture(claim, outcome: "done", error: nil, at: now, on: sql).map { queued }
            }.flatMap { queued in
                guard let next else { return db.eventLoop.makeSucceededFuture((queued, nil)) }
                return self.claimFuture(next, on: sql).map { (queued, $0) }
            }
        }
        do {
            let (deliveries, nextClaim) = try await transaction.get()
            // Other processes need waking only for the deliveries this queued.
            if deliveries > 0 { await notify() } else { signal.fire() }
            return (true, nextClaim)
        } catch is LeaseLost {
            return (false, nil)
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
        let (ended, noticesQueued) = try await database.db.transaction { db -> (JobStatus?, Int) in
            let sql = db as! any SQLDatabase
            let marked = try await sql.raw(
                """
                UPDATE jobs SET status = \(bind: status.rawValue), last_error = \(bind: error), run_at_us = \(bind: runAt), \
                lease_until_us = NULL, worker_id = NULL, finished_us = \(bind: final ? now : nil as Int64?) \
                WHERE \(held(claim)) RETURNING id, user_id, \(JobEndNotices.wantsColumns)
                """
            ).first()
            guard let marked else { return (nil, 0) }
            try await endAttempt(claim, outcome: outcome, error: error, at: now, on: sql)
            guard final else { return (status, 0) }
            let queued = try await notices.queue(
                .init(
                    jobId: claim.id, kind: claim.kind, userId: try marked.optionalUUID("user_id"), status: .dead,
                    result: nil, error: error, attempts: claim.attempt), wants: try .init(marked), on: db)
            return (status, queued)
        }
        if noticesQueued > 0 { await notify() }
        return ended
    }

    /// The handler stopped because a cancel was asked for.
    func cancelled(_ claim: Claim) async throws {
        let now = Int64.nowMicros
        try await end(
            claim, outcome: "cancelled", at: now, "status = 'cancelled', finished_us = \(bind: now), lease_until_us = NULL")
    }

    /// Gives the job back at shutdown: queued again at once, this attempt not counted.
    func release(_ claim: Claim) async throws {
        let now = Int64.nowMicros
        try await end(
            claim, outcome: "released", at: now,
            "status = 'queued', attempts = attempts - 1, worker_id = NULL, lease_until_us = NULL, run_at_us = \(bind: now)")
    }

    /// Sets `changes` on the job if the claim still holds it, and writes the claim's row of
    /// the lease history, in one transaction: the ends that tell nobody.
    private func end(
        _ claim: Claim, outcome: String, at now: Int64, _ changes: SQLQueryString
    ) async throws {
        try await database.db.transaction { db in
            let sql = db as! any SQLDatabase
            guard try await sql.raw("UPDATE jobs SET \(changes) WHERE \(held(claim)) RETURNING id").first() != nil
            else { return }
            try await endAttempt(claim, outcome: outcome, error: nil, at: now, on: sql)
        }
    }

    /// Writes the ended claim's row of the lease history, in the transaction that ends it.
    private func endAttempt(_ claim: Claim, outcome: String, error: String?, at now: Int64, on sql: any SQLDatabase) async throws
    {
        try await Self.insertAttempt(
            job: claim.id, attempt: claim.claim, worker: claim.workerId, started: claim.startedMicros, ended: now,
            outcome: outcome, error: error, on: sql)
    }

    private static func insertAttemptFuture(
        _ claim: Claim, outcome: String, error: String?, at now: Int64, on sql: any SQLDatabase
    ) -> EventLoopFuture<Void> {
        sql.raw(attemptRow(claim.id, claim.claim, claim.workerId, claim.startedMicros, now, outcome, error)).run()
    }

    private static func attemptRow(
        _ job: UUID, _ attempt: Int, _ worker: String, _ started: Int64, _ ended: Int64, _ outcome: String, _ error: String?
    ) -> SQLQueryString {
        """
        INSERT INTO job_attempts (id, job_id, attempt, worker_id, started_us, ended_us, outcome, error) \
        VALUES (\(bind: UUID()), \(bind: job), \(bind: attempt), \(bind: worker), \(bind: started), \(bind: ended), \
        \(bind: outcome), \(bind: error))
        """
    }

    private static func insertAttempt(
        job: UUID, attempt: Int, worker: String, started: Int64, ended: Int64, outcome: String, error: String?,
        on sql: any SQLDatabase
    ) async throws {
        try await sql.raw(attemptRow(job, attempt, worker, started, ended, outcome, error)).run()
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
                lease_until_us = NULL, run_at_us = \(bind: now), \
                last_error = 'the worker stopped holding the job (lease expired)', \
                finished_us = CASE WHEN attempts >= max_attempts THEN \(bind: now) ELSE NULL END \
                WHERE status = 'running' AND lease_until_us < \(bind: now) \
                RETURNING id, claims, attempts, status, kind, user_id, worker_id, started_us
                """
            ).all()
            for row in expired {
                let id = try row.decode(column: "id", as: UUID.self)
                let attempt = try row.decode(column: "claims", as: Int.self)
                if try row.decode(column: "status", as: String.self) == JobStatus.dead.rawValue {
                    try await notices.queue(
                        .init(
                            jobId: id, kind: try row.decode(column: "kind", as: String.self),
                            userId: try row.optionalUUID("user_id"), status: .dead, result: nil,
                            error: "the worker stopped holding the job (lease expired)",
                            attempts: try row.decode(column: "attempts", as: Int.self)), on: db)
                }
                // worker_id is cleared below, once the lease history has named who lost the job.
                try await Self.insertAttempt(
                    job: id, attempt: attempt, worker: try row.decode(column: "worker_id", as: String.self),
                    started: try row.decode(column: "started_us", as: Int64.self), ended: now, outcome: "lost", error: nil,
                    on: sql)
            }
            let ids = try expired.map { try $0.decode(column: "id", as: UUID.self) }
            if !ids.isEmpty {
                try await sql.raw("UPDATE jobs SET worker_id = NULL WHERE id IN (\(binds: ids)) AND status <> 'running'").run()
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

extension SQLRow {
    /// A nullable UUID column.
    func optionalUUID(_ column: String) throws -> UUID? {
        try decodeNil(column: column) ? nil : try decode(column: column, as: UUID.self)
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
