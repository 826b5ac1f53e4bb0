import ArgusTestSupport
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import SQLKit
import Synchronization
import Testing

@testable import ArgusServer

/// The durable queue on SQLite or PostgreSQL (whichever the pass runs on), with real
/// workers in process.
@Suite struct JobQueueTests {
    /// Fast settings: short retries, quick polls. The lease is long enough that a loaded
    /// machine (the rest of the suite runs beside these tests on 2 cores) never lets a
    /// healthy worker's heartbeat come late: the lease test takes a lease of its own.
    static func configuration() async throws -> ServerConfiguration {
        try await TestServer.configuration {
            $0.worker.leaseSeconds = 6
            $0.worker.pollMilliseconds = 20
            $0.worker.retryBaseMilliseconds = 5
            $0.worker.drainSeconds = 5
            $0.worker.concurrency = 4
        }
    }

    /// Runs `body` with `count` workers going, then stops them (as at SIGTERM).
    @discardableResult
    static func withWorkers<T>(
        _ dependencies: ServerDependencies, count: Int = 1, _ body: () async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "worker")
        logger.logLevel = .warning
        let workers = (0..<count).map { _ in dependencies.makeWorker(logger: logger) }
        let tasks = workers.map { worker in Task { try await worker.run() } }
        let result: T
        do {
            result = try await body()
        } catch {
            // Wait for the workers here too: the caller shuts the database down next.
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
            throw error
        }
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        return result
    }

    static func waitUntil(_ seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("condition not met after \(seconds) s")
    }

    static func jobs(_ dependencies: ServerDependencies) async throws -> [JobRecord] {
        try await JobRecord.query(on: dependencies.database.db).all()
    }

    @Test func everyJobEndsExactlyOnceWithConcurrentWorkers() async throws {
        try await TestServer.withDependencies(try await Self.configuration()) { dependencies in
            for index in 0..<120 {
                var request = JobQueue.Request(kind: "noop", payload: #"{"sleep_ms": \#(index % 3 == 0 ? 20 : 0)}"#)
                request.priority = index % 5
                try await dependencies.jobs.enqueue(request)
            }
            try await Self.withWorkers(dependencies, count: 3) {
                try await Self.waitUntil { try await Self.jobs(dependencies).allSatisfy { $0.status == "done" } }
            }
            let attempts = try await JobAttemptRecord.query(on: dependencies.database.db).all()
            let done = Dictionary(grouping: attempts.filter { $0.outcome == "done" }) { $0.jobId }
            #expect(done.count == 120)
            #expect(done.values.allSatisfy { $0.count == 1 }, "a job completed twice")
            #expect(attempts.allSatisfy { $0.outcome == "done" })
            for job in try await Self.jobs(dependencies) {
                #expect(job.attempts == 1 && job.progress == 100 && job.result == #"{"attempt":1}"#)
            }
        }
    }

    @Test func failuresAreRetriedWithBackoffThenBuried() async throws {
        try await TestServer.withDependencies(try await Self.configuration()) { dependencies in
            var flaky = JobQueue.Request(kind: "noop", payload: #"{"fail_attempts": 2}"#)
            flaky.maxAttempts = 5
            let recovered = try await dependencies.jobs.enqueue(flaky)
            var poison = JobQueue.Request(kind: "noop", payload: #"{"fail_attempts": 100}"#)
            poison.maxAttempts = 3
            let buried = try await dependencies.jobs.enqueue(poison)
            try await Self.withWorkers(dependencies) {
                try await Self.waitUntil {
                    try await Self.jobs(dependencies).allSatisfy { JobStatus(rawValue: $0.status)?.isFinal == true }
                }
            }
            let db = dependencies.database.db
            let first = try #require(try await JobRecord.find(recovered.id, on: db))
            #expect(first.status == "done" && first.attempts == 3 && first.result == #"{"attempt":3}"#)
            let dead = try #require(try await JobRecord.find(buried.id, on: db))
            #expect(dead.status == "dead" && dead.attempts == 3)
            #expect(dead.lastError?.contains("failing attempt 3 on purpose") == true, "\(dead.lastError ?? "")")
            let outcomes = try await JobAttemptRecord.query(on: db).filter(\.$jobId == buried.id!).sort(\.$attempt).all()
            #expect(outcomes.map(\.outcome) == ["failed", "failed", "failed"])
        }
    }

    /// Enqueues at once share INSERTs (group commit): each gets its own committed row.
    @Test func concurrentEnqueuesAreEachCommittedOnce() async throws {
        try await TestServer.withDependencies(try await Self.configuration()) { dependencies in
            let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let job = try await dependencies.jobs.enqueue(
                            JobQueue.Request(kind: "noop", payload: #"{"n": \#(index)}"#))
                        return try job.requireID()
                    }
                }
                return try await group.reduce(into: [UUID]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 300)
            let rows = try await JobRecord.query(on: dependencies.database.db).filter(\.$id ~~ ids).all()
            #expect(rows.count == 300 && rows.allSatisfy { $0.status == "queued" })
            #expect(Set(rows.map(\.payload)).count == 300, "each row has its own payload")
        }
    }

    /// An idle worker sleeps until the next retry is due, not for its whole poll interval.
    @Test func aRetryDueBeforeThePollStartsWhenDue() async throws {
        var configuration = try await Self.configuration()
        configuration.worker.pollMilliseconds = 30_000
        configuration.worker.retryBaseMilliseconds = 50
        try await TestServer.withDependencies(configuration) { dependencies in
            try await Self.withWorkers(dependencies) {
                let job = try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop", payload: #"{"fail_attempts": 2}"#))
                let start = ContinuousClock.now
                try await Self.waitUntil(25) { try await JobRecord.find(job.id, on: dependencies.database.db)?.status == "done" }
                let took = ContinuousClock.now - start
                // Well under one 30 s poll, with room for a loaded machine (it took 8 s once
                // beside the rest of the suite on 2 cores).
                #expect(took < .seconds(20), "two retries of at most 50 and 100 ms took \(took), a poll is 30 s")
            }
        }
    }

    @Test func aJobPastItsTimeoutIsRetriedAndALostLeaseIsReaped() async throws {
        try await TestServer.withDependencies(try await Self.configuration()) { dependencies in
            var slow = JobQueue.Request(kind: "noop", payload: #"{"sleep_ms": 5000}"#)
            slow.timeoutSeconds = 1
            slow.maxAttempts = 2
            let job = try await dependencies.jobs.enqueue(slow)
            try await Self.withWorkers(dependencies) {
                try await Self.waitUntil { try await JobRecord.find(job.id, on: dependencies.database.db)?.status == "dead" }
            }
            let attempts = try await JobAttemptRecord.query(on: dependencies.database.db).filter(\.$jobId == job.id!).all()
            #expect(
                attempts.count == 2 && attempts.allSatisfy { $0.outcome == "timeout" },
                "\(attempts.map { ($0.outcome ?? "-", $0.error ?? "-") })")

            // A worker that claimed a job and died: its lease runs out and the job is queued again.
            let orphan = try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop"))
            let claim = try #require(
                try await dependencies.jobs.claim(workerId: "dead-worker", kinds: ["noop"], lease: .milliseconds(1)))
            #expect(claim.id == orphan.id)
            try await Task.sleep(for: .milliseconds(5))
            #expect(try await dependencies.jobs.reap() == 1)
            // The dead worker can no longer complete it.
            #expect(try await dependencies.jobs.complete(claim, outcome: JobOutcome()) == false)
            let requeued = try #require(try await JobRecord.find(orphan.id, on: dependencies.database.db))
            #expect(requeued.status == "queued" && requeued.workerId == nil)
            let lost = try await JobAttemptRecord.query(on: dependencies.database.db).filter(\.$jobId == orphan.id!).first()
            #expect(lost?.outcome == "lost")
        }
    }

    @Test func cancellingStopsQueuedAndRunningJobs() async throws {
        try await TestServer.withDependencies(try await Self.configuration()) { dependencies in
            let long = try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop", payload: #"{"sleep_ms": 60000}"#))
            try await Self.withWorkers(dependencies) {
                try await Self.waitUntil { try await JobRecord.find(long.id, on: dependencies.database.db)?.status == "running" }
                try await dependencies.jobs.requestCancel(long.id!)
                // Noticed at a lease renewal: 30 s (half the job's sleep) proves that the
                // job stopped early, with room for a machine loaded by the other suites
                // (10 s was missed once in CI).
                try await Self.waitUntil(30) {
                    try await JobRecord.find(long.id, on: dependencies.database.db)?.status == "cancelled"
                }
            }
            var later = JobQueue.Request(kind: "noop")
            later.runAt = Date().addingTimeInterval(3600)
            let queued = try await dependencies.jobs.enqueue(later)
            try await dependencies.jobs.requestCancel(queued.id!)
            #expect(try await JobRecord.find(queued.id, on: dependencies.database.db)?.status == "cancelled")
            #expect(try await dependencies.jobs.retryJob(queued.id!))
            #expect(try await JobRecord.find(queued.id, on: dependencies.database.db)?.status == "queued")
            // The same idempotency key answers the first job.
            var keyed = JobQueue.Request(kind: "noop")
            keyed.idempotencyKey = "once"
            let one = try await dependencies.jobs.enqueue(keyed)
            let two = try await dependencies.jobs.enqueue(keyed)
            #expect(one.id == two.id)
        }
    }

    /// Progress rises through the events stream while the job runs.
    @Test func theEventsStreamFollowsAJobToItsEnd() async throws {
        try await TestServer.run(try await Self.configuration()) { client, dependencies in
            let api = APIClient(client: client)
            let admin = try await api.admin(dependencies)
            let created = try await api.request(
                .post, "/api/v1/admin/jobs", json: ["kind": "noop", "payload": ["sleep_ms": 1600]], headers: admin.bearer)
            let id = try #require(created.json["id"] as? String)
            try await Self.withWorkers(dependencies) {
                let stream = try await api.get("/api/v1/jobs/\(id)/events", as: admin)
                let events = String(buffer: stream.body).components(separatedBy: "\n\n").filter { $0.hasPrefix("event: job") }
                let states = try events.map { event -> [String: Any] in
                    let data = try #require(event.split(separator: "\n").first { $0.hasPrefix("data: ") }?.dropFirst(6))
                    return try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
                }
                let progress = states.compactMap { $0["progress"] as? Int }
                #expect(progress == progress.sorted() && progress.count >= 3, "\(progress)")
                #expect(states.last?["status"] as? String == "done")
            }
        }
    }

    /// The same events over a WebSocket: one message per change, then a close.
    @Test func theEventsFollowAJobOverAWebSocket() async throws {
        try await TestServer.run(try await Self.configuration(), transport: .live) { client, dependencies in
            let api = APIClient(client: client)
            let admin = try await api.admin(dependencies)
            let port = try #require(client.port)
            let created = try await api.request(
                .post, "/api/v1/admin/jobs", json: ["kind": "noop", "payload": ["sleep_ms": 1200]], headers: admin.bearer)
            let id = try #require(created.json["id"] as? String)
            try await Self.withWorkers(dependencies) {
                var configuration = WebSocketClientConfiguration()
                configuration.additionalHeaders = [.authorization: "Bearer " + admin.accessToken]
                let messages = Mutex<[String]>([])
                _ = try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/api/v1/jobs/\(id)/events", configuration: configuration,
                    logger: Logger(label: "ws")
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { messages.withLock { $0.append(text) } }
                    }
                }
                let states = messages.withLock { $0 }.compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                let progress = states.compactMap { $0["progress"] as? Int }
                #expect(progress.count >= 3 && progress == progress.sorted(), "\(progress)")
                #expect(states.last?["status"] as? String == "done")
            }
            // Refusals are a close at once, 4000 + the HTTP status, with the error's code and message.
            let anonymous = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/api/v1/jobs/\(id)/events", logger: Logger(label: "ws")
            ) { inbound, _, _ in for try await _ in inbound {} }
            #expect(anonymous?.closeCode == .unknown(4401), "\(String(describing: anonymous))")
            #expect(anonymous?.reason?.hasPrefix("unauthorized: ") == true, "\(anonymous?.reason ?? "")")
            let stranger = try await api.signUp()
            var strangerConfiguration = WebSocketClientConfiguration()
            strangerConfiguration.additionalHeaders = [.authorization: "Bearer " + stranger.accessToken]
            let hidden = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/api/v1/jobs/\(id)/events", configuration: strangerConfiguration,
                logger: Logger(label: "ws")
            ) { inbound, _, _ in for try await _ in inbound {} }
            #expect(
                hidden?.closeCode == .unknown(4404) && hidden?.reason == "not_found: no such job", "\(String(describing: hidden))"
            )
        }
    }

    @Test func shutdownGivesRunningJobsBackWithoutCountingTheAttempt() async throws {
        var configuration = try await Self.configuration()
        configuration.worker.drainSeconds = 0
        try await TestServer.withDependencies(configuration) { dependencies in
            let job = try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop", payload: #"{"sleep_ms": 60000}"#))
            try await Self.withWorkers(dependencies) {
                try await Self.waitUntil { try await JobRecord.find(job.id, on: dependencies.database.db)?.status == "running" }
            }
            let released = try #require(try await JobRecord.find(job.id, on: dependencies.database.db))
            #expect(released.status == "queued" && released.attempts == 0)
            let attempt = try await JobAttemptRecord.query(on: dependencies.database.db).filter(\.$jobId == job.id!).first()
            #expect(attempt?.outcome == "released")
            // Given back, it runs again (its next claim has a number of its own), and so
            // does a dead job retried by hand; other jobs never wait behind them.
            try await JobRecord.query(on: dependencies.database.db).filter(\.$id == job.id!).set(\.$payload, to: "{}").update()
            var poison = JobQueue.Request(kind: "noop", payload: #"{"fail_attempts": 1}"#)
            poison.maxAttempts = 1
            let dead = try await dependencies.jobs.enqueue(poison)
            let other = try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop"))
            try await Self.withWorkers(dependencies) {
                try await Self.waitUntil { try await JobRecord.find(dead.id, on: dependencies.database.db)?.status == "dead" }
                #expect(try await dependencies.jobs.retryJob(dead.id!))
                // A fresh count of attempts: it fails its first attempt again, and is dead again.
                try await Self.waitUntil {
                    let job = try await JobRecord.find(dead.id, on: dependencies.database.db)
                    return job?.status == "dead" && job?.claims == 2
                }
                try await Self.waitUntil {
                    try await JobRecord.query(on: dependencies.database.db).filter(\.$status == "queued").count() == 0
                }
            }
            let history = try await JobAttemptRecord.query(on: dependencies.database.db).filter(\.$jobId == dead.id!).sort(
                \.$attempt
            ).all()
            #expect(history.map(\.attempt) == [1, 2] && history.map(\.outcome) == ["failed", "failed"])
            #expect(try await JobRecord.find(other.id, on: dependencies.database.db)?.status == "done")
            let rerun = try await JobAttemptRecord.query(on: dependencies.database.db).filter(\.$jobId == job.id!).sort(
                \.$attempt
            ).all()
            #expect(rerun.map(\.outcome) == ["released", "done"], "the given-back job ran again")
        }
    }

    @Test func theJobsAPI() async throws {
        try await TestServer.run(try await Self.configuration()) { client, dependencies in
            let api = APIClient(client: client)
            let admin = try await api.admin(dependencies)
            let user = try await api.signUp()
            let created = try await api.request(
                .post, "/api/v1/admin/jobs", json: ["kind": "noop", "payload": ["sleep_ms": 10]], headers: admin.bearer)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["status"] as? String == "queued")
            #expect(
                try await api.request(.post, "/api/v1/admin/jobs", json: ["kind": "noop"], headers: user.bearer).status
                    == .forbidden)
            #expect(
                try await api.request(.post, "/api/v1/admin/jobs", json: ["kind": "rm -rf"], headers: admin.bearer).status
                    == .badRequest)
            try await Self.withWorkers(dependencies) {
                try await Self.waitUntil {
                    try await api.get("/api/v1/jobs/\(id)", as: admin).json["status"] as? String == "done"
                }
            }
            // The events stream of a finished job: its last state, then the end.
            let events = try await api.get("/api/v1/jobs/\(id)/events", as: admin)
            #expect(events.status == .ok && events.header("Content-Type")?.hasPrefix("text/event-stream") == true)
            #expect(String(buffer: events.body).hasPrefix("event: job\ndata: {"), "\(String(buffer: events.body))")
            #expect(String(buffer: events.body).contains(#""status":"done""#))
            let job = try await api.get("/api/v1/jobs/\(id)", as: admin)
            #expect(job.json["progress"] as? Int == 100)
            #expect((job.json["result"] as? [String: Any])?["attempt"] as? Int == 1)
            #expect(try await api.get("/api/v1/jobs/\(id)", as: user).status == .notFound)
            let page = try await api.get("/api/v1/jobs?status=done&kind=noop", as: admin)
            #expect((page.json["items"] as? [[String: Any]])?.count == 1)
            #expect(try await api.get("/api/v1/jobs?status=sideways", as: admin).status == .badRequest)
            let cancel = try await api.request(.post, "/api/v1/jobs/\(id)/cancel", headers: admin.bearer)
            #expect(cancel.status == .conflict && cancel.errorCode == "job_finished")
            let retry = try await api.request(.post, "/api/v1/jobs/\(id)/retry", headers: admin.bearer)
            #expect(retry.status == .conflict && retry.errorCode == "job_not_retryable")
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"argus_jobs_attempts_total{kind="noop",outcome="done"} 1"#), "\(metrics.suffix(3000))")
            #expect(metrics.contains(#"argus_jobs_jobs{kind="noop",status="done"} 1"#))
            #expect(metrics.contains("argus_jobs_start_latency_seconds_bucket"))
            let health = try await api.get("/health", as: nil)
            #expect(((health.json["checks"] as? [String: Any])?["jobs"] as? [String: Any])?["status"] as? String == "ok")
            let queue = try await api.get("/api/v1/admin/queue", as: admin)
            #expect(queue.status == .ok)
            #expect(((queue.json["jobs"] as? [String: [String: Int]])?["noop"])?["done"] == 1)
        }
    }
}
