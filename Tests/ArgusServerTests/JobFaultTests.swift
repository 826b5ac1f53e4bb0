import ArgusTestSupport
import FluentKit
import Foundation
import Logging
import Testing

@testable import ArgusServer

#if canImport(Glibc)
    import Glibc
#endif

/// `argus worker` processes killed with SIGKILL in the middle of jobs, again and again,
/// on the pass's database (SQLite or PostgreSQL): every job ends exactly once, none is
/// lost or left running, and the lease records show that no job was ever held by two
/// workers at once.
@Suite(.serialized) struct JobFaultTests {
    /// The worker processes' settings: short leases, so killed workers' jobs come back soon.
    static func environment(_ configuration: ServerConfiguration) -> [String: String] {
        let database: String
        switch configuration.database {
        case .sqlite(let path): database = "sqlite://" + path
        case .postgres(let url): database = url
        }
        return [
            "ARGUS_DATABASE_URL": database, "ARGUS_DATA_DIR": configuration.dataDirectory,
            "ARGUS_JWT_SECRET": configuration.jwtSecret ?? "", "ARGUS_JOB_LEASE_SECONDS": "2", "ARGUS_WORKER_POLL_MS": "50",
            "ARGUS_WORKER_CONCURRENCY": "2", "ARGUS_JOB_RETRY_BASE_MS": "10", "ARGUS_WORKER_DRAIN_SECONDS": "10",
            "ARGUS_LOG_LEVEL": "warning", "ARGUS_BCRYPT_COST": "4",
        ]
    }

    static func startWorker(_ configuration: ServerConfiguration, _ name: String) throws -> Process {
        let log = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent(
            "\(name)-\(UUID().lowercased.prefix(6)).log")
        return try ArgusProcess.start(["worker"], environment: environment(configuration), log: log)
    }

    static func stop(_ process: Process, signal: Int32) async {
        kill(process.processIdentifier, signal)
        for _ in 0..<400 where process.isRunning { try? await Task.sleep(for: .milliseconds(25)) }
    }

    /// No job ended twice, every done job has exactly one `done` attempt whose number
    /// its result carries, and a job's attempts never overlap in time.
    static func checkLeaseHistory(_ dependencies: ServerDependencies, jobs count: Int) async throws -> [JobAttemptRecord] {
        let db = dependencies.database.db
        let jobs = try await JobRecord.query(on: db).all()
        #expect(jobs.count == count)
        #expect(jobs.allSatisfy { $0.status == "done" }, "\(Dictionary(grouping: jobs, by: \.status).mapValues(\.count))")
        let attempts = try await JobAttemptRecord.query(on: db).all()
        let byJob = Dictionary(grouping: attempts, by: \.jobId)
        for job in jobs {
            let history = (byJob[job.id!] ?? []).sorted { $0.attempt < $1.attempt }
            let done = history.filter { $0.outcome == "done" }
            #expect(done.count == 1, "job \(job.id!): \(history.map { $0.outcome ?? "open" })")
            #expect(job.result == #"{"attempt":\#(job.attempts)}"#, "the result is the one written with done")
            #expect(history.allSatisfy { $0.endedMicros != nil && $0.outcome != nil }, "an attempt left open")
            for (earlier, later) in zip(history, history.dropFirst()) {
                #expect(later.startedMicros >= (earlier.endedMicros ?? .max), "job \(job.id!) held twice at once")
            }
        }
        return attempts
    }

    @Test func killedWorkersLoseNoJobAndRunNoneTwice() async throws {
        let configuration = try await JobQueueTests.configuration()
        try await TestServer.withDependencies(configuration) { dependencies in
            for index in 0..<60 {
                var job = JobQueue.Request(kind: "noop", payload: #"{"sleep_ms": \#(150 + (index % 4) * 50)}"#)
                job.maxAttempts = 100
                try await dependencies.jobs.enqueue(job)
            }
            var workers = [try Self.startWorker(configuration, "a"), try Self.startWorker(configuration, "b")]
            defer { for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            var kills = 0
            while kills < 20 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 250...700)))
                let victim = Int.random(in: 0..<workers.count)
                await Self.stop(workers[victim], signal: SIGKILL)
                kills += 1
                workers[victim] = try Self.startWorker(configuration, "w\(kills)")
            }
            // The last of them drains on SIGTERM while the other finishes the rest (once it
            // runs: a process still starting has no handler for the signal yet).
            let pid = Int(workers[0].processIdentifier)
            try await JobQueueTests.waitUntil(30) {
                try await WorkerRecord.query(on: dependencies.database.db).filter(\.$pid == pid).count() > 0
            }
            await Self.stop(workers[0], signal: SIGTERM)
            #expect(workers[0].terminationStatus == 0, "SIGTERM ends a worker cleanly")
            try await JobQueueTests.waitUntil(120) {
                try await JobRecord.query(on: dependencies.database.db).filter(\.$status != "done").count() == 0
            }
            let attempts = try await Self.checkLeaseHistory(dependencies, jobs: 60)
            // The kills did interrupt jobs: some attempts were lost and taken over.
            #expect(attempts.contains { $0.outcome == "lost" }, "no kill hit a running job")
        }
    }

    @Test func twoWorkerProcessesAndTheServerShareTheQueue() async throws {
        var configuration = try await JobQueueTests.configuration()
        configuration.worker.concurrency = 2
        try await TestServer.withDependencies(configuration) { dependencies in
            let workers = [try Self.startWorker(configuration, "one"), try Self.startWorker(configuration, "two")]
            defer { for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            // The jobs are queued once both processes have registered: on a busy machine one
            // still starting could otherwise find the queue already drained.
            let pids = workers.map { Int($0.processIdentifier) }
            try await JobQueueTests.waitUntil(60) {
                try await WorkerRecord.query(on: dependencies.database.db).filter(\.$pid ~~ pids).count() == 2
            }
            // This process's embedded worker, as `argus serve` runs it, is the third.
            try await JobQueueTests.withWorkers(dependencies) {
                for _ in 0..<500 {
                    try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop", payload: #"{"sleep_ms": 5}"#))
                }
                try await JobQueueTests.waitUntil(180) {
                    try await JobRecord.query(on: dependencies.database.db).filter(\.$status != "done").count() == 0
                }
            }
            let attempts = try await Self.checkLeaseHistory(dependencies, jobs: 500)
            let processes = Set(attempts.map { $0.workerId.split(separator: ":").dropLast().joined(separator: ":") })
            #expect(processes.count == 3, "every process took jobs: \(processes)")
            for worker in workers { await Self.stop(worker, signal: SIGTERM) }
        }
    }

    /// `argus worker` with ARGUS_WORKER_METRICS_PORT serves its own counters and health.
    @Test func aWorkerProcessServesItsMetricsAndHealth() async throws {
        let configuration = try await JobQueueTests.configuration()
        try await TestServer.withDependencies(configuration) { dependencies in
            var environment = Self.environment(configuration)
            let port = try ArgusProcess.freePort()
            environment["ARGUS_WORKER_METRICS_PORT"] = String(port)
            environment["ARGUS_HOST"] = "127.0.0.1"
            let log = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("metrics-worker.log")
            let worker = try ArgusProcess.start(["worker"], environment: environment, log: log)
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            let jobs = try await (0..<3).asyncMap { _ in try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop")) }
            try await JobQueueTests.waitUntil(30) {
                try await JobRecord.query(on: dependencies.database.db).filter(\.$id ~~ jobs.map { $0.id! })
                    .filter(\.$status == "done").count() == 3
            }
            let request = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let metrics = try await RawHTTP.exchange(port: port, request: request, timeoutSeconds: 10)
            #expect(metrics.hasPrefix("HTTP/1.1 200"), "\(metrics.prefix(300))")
            #expect(metrics.contains(#"argus_jobs_attempts_total{kind="noop",outcome="done"} 3"#), "\(metrics.suffix(2000))")
            let ready = try await RawHTTP.exchange(
                port: port, request: "GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeoutSeconds: 10)
            #expect(ready.hasPrefix("HTTP/1.1 200"), "a worker is ready once its database is: \(ready.prefix(300))")
            await Self.stop(worker, signal: SIGTERM)
            #expect(!worker.isRunning)
        }
    }

    /// On PostgreSQL a worker in another process starts a new job at once (LISTEN/NOTIFY),
    /// not at its next poll: here the poll is a minute away.
    @Test func anotherProcessStartsANewJobWithoutWaitingForItsPoll() async throws {
        let configuration = try await JobQueueTests.configuration()
        try await TestServer.withDependencies(configuration) { dependencies in
            guard dependencies.database.isPostgres else { return }
            var environment = Self.environment(configuration)
            environment["ARGUS_WORKER_POLL_MS"] = "60000"
            let log = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("listener.log")
            let worker = try ArgusProcess.start(["worker"], environment: environment, log: log)
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            let pid = Int(worker.processIdentifier)
            try await JobQueueTests.waitUntil(30) {
                try await WorkerRecord.query(on: dependencies.database.db).filter(\.$pid == pid).count() > 0
            }
            // Its listener may still be connecting: give it a moment, then time one job.
            try await Task.sleep(for: .seconds(1))
            let job = try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop"))
            let start = ContinuousClock.now
            try await JobQueueTests.waitUntil(10) {
                try await JobRecord.find(job.id, on: dependencies.database.db)?.status == "done"
            }
            #expect(ContinuousClock.now - start < .seconds(5), "the job waited for a poll")
            await Self.stop(worker, signal: SIGTERM)
        }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
