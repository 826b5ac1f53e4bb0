import FluentKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Claims jobs and runs them with their handler, `concurrency` at a time: renews each
/// lease, reports progress, enforces the kind's soft and hard timeouts, notices a cancel,
/// and records the outcome. It registers itself (`workers`), beats every few seconds and
/// re-queues jobs whose worker died. On shutdown it stops claiming, lets running jobs
/// finish for `drainSeconds`, and gives back the rest.
public final class JobWorker: Service, Sendable {
    let queue: JobQueue
    let handlers: [String: any JobHandler]
    let settings: WorkerSettings
    /// `host:pid:random`, unique per process start.
    public let id: String
    let logger: Logger
    let metrics: ServerMetrics
    /// Periodic work, run by whichever worker leads.
    let scheduler: Scheduler?
    private let running = Mutex<[UUID: (claim: JobQueue.Claim, task: Task<Void, Never>)]>([:])
    private let stopping = Atomic<Bool>(false)

    init(
        queue: JobQueue, handlers: [any JobHandler], settings: WorkerSettings, metrics: ServerMetrics,
        scheduler: ((String) -> Scheduler)? = nil, logger: Logger
    ) {
        self.metrics = metrics
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }) { first, _ in first }
        self.settings = settings
        let host = ProcessInfo.processInfo.hostName
        let id = "\(host):\(ProcessInfo.processInfo.processIdentifier):\(UUID().lowercased.prefix(8))"
        self.id = id
        self.scheduler = scheduler?(id)
        self.logger = logger
    }

    var kinds: [String] { handlers.keys.sorted() }

    public func run() async throws {
        try await register()
        logger.info("worker started", metadata: ["worker": .string(id), "kinds": .string(kinds.joined(separator: ","))])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.beat() }
                if case .postgres(let url) = self.queue.database.location {
                    group.addTask { await PostgresJobListener(url: url, signal: self.queue.signal, logger: self.logger).run() }
                }
                await self.claimLoop()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
        }
        await drain()
        try? await WorkerRecord.query(on: queue.database.db).filter(\.$id == id).set(\.$stoppedMicros, to: .nowMicros).update()
        logger.info("worker stopped", metadata: ["worker": .string(id)])
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) || Task.isCancelled }

    private func claimLoop() async {
        while !isStopping {
            // Read before looking, so that a signal while we look is not missed.
            let seen = queue.signal.generation
            let free = running.withLock { $0.count } < settings.concurrency
            if free {
                do {
                    if let claim = try await queue.claim(workerId: id, kinds: kinds, lease: settings.lease) {
                        start(claim)
                        continue
                    }
                    // Nothing due now: sleep until the next job is, if that comes before the poll.
                    let due = try await queue.untilNextDue(kinds: kinds)
                    await queue.signal.wait(since: seen, timeout: min(settings.poll, max(.milliseconds(1), due ?? settings.poll)))
                    continue
                } catch {
                    logger.warning("claiming a job failed", metadata: ["error": .string(String(describing: error))])
                }
            }
            await queue.signal.wait(since: seen, timeout: settings.poll)
        }
    }

    /// Runs `claim` in a slot of its own, then the jobs claimed with each completion, until
    /// none is due: the slot is taken in the same lock as the task is made, so the task
    /// cannot give it back first.
    private func start(_ claim: JobQueue.Claim) {
        metrics.jobStarted(kind: claim.kind, latency: .microseconds(claim.waitedMicros))
        running.withLock { running in
            running[claim.id] = (
                claim,
                Task {
                    var current = claim
                    while true {
                        let next = await self.execute(current)
                        let finished = current
                        self.running.withLock { running in
                            let slot = running.removeValue(forKey: finished.id)
                            if let next, let slot { running[next.id] = (next, slot.task) }
                        }
                        guard let next else { break }
                        self.metrics.jobStarted(kind: next.kind, latency: .microseconds(next.waitedMicros))
                        current = next
                    }
                    self.queue.signal.fire()
                }
            )
        }
    }

    private enum Event: Sendable {
        case finished(JobOutcome)
        case failed(String, permanent: Bool)
        case lost
        case cancelRequested
        case hardTimeout
    }

    /// Runs one job to its outcome.
    /// - Returns: the worker's next job, when one was claimed with this one's completion.
    private func execute(_ claim: JobQueue.Claim) async -> JobQueue.Claim? {
        guard let handler = handlers[claim.kind] else { return nil }
        let queue = self.queue
        let context = JobContext(
            id: claim.id, payload: Data(claim.payload.utf8), attempt: claim.attempt,
            report: { percent, message in try? await queue.progress(claim, percent: percent, message: message) })
        let hard = min(handler.hardTimeout, .seconds(max(1, claim.timeoutSeconds)))
        let soft = min(handler.softTimeout, hard)
        let softExpired = Flag()
        let lease = settings.lease
        // The first of: the handler ends, the lease is lost or a cancel is asked for, the
        // hard timeout. Unstructured tasks, so that a handler that ignores cancellation
        // cannot hold the worker past its hard timeout; two per job (the handler's, which
        // reports its own end, and its guard), as every job pays for them.
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(4))
        let work = Task {
            do {
                continuation.yield(.finished(try await handler.run(context)))
            } catch let failure as PermanentJobFailure {
                continuation.yield(.failed(failure.description, permanent: true))
            } catch {
                continuation.yield(.failed(String(describing: error), permanent: false))
            }
        }
        let guardian = Task {
            // Renews the lease every third of it and watches for a cancel; stops the handler
            // at the soft timeout; ends the attempt at the hard one.
            let started = ContinuousClock.now
            var nextBeat = started + lease / 3
            while !Task.isCancelled {
                let deadline = min(nextBeat, started + hard)
                try? await Task.sleep(until: deadline)
                if Task.isCancelled { return }
                let now = ContinuousClock.now
                if now - started >= hard {
                    continuation.yield(.hardTimeout)
                    return
                }
                guard now >= nextBeat else { continue }
                nextBeat = now + lease / 3
                if now - started >= soft, !softExpired.set() { work.cancel() }
                switch try? await queue.heartbeat(claim, lease: lease) {
                case .lost?:
                    continuation.yield(.lost)
                    return
                case .held(cancelRequested: true)?:
                    continuation.yield(.cancelRequested)
                    return
                default: continue
                }
            }
        }
        let began = ContinuousClock.now
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next() ?? .lost
        let ran = ContinuousClock.now - began
        guardian.cancel()
        continuation.finish()
        return await record(event, claim: claim, work: work, softExpired: softExpired.isSet, hard: hard, ran: ran)
    }

    private func record(
        _ event: Event, claim: JobQueue.Claim, work: Task<Void, Never>, softExpired: Bool, hard: Duration,
        ran: Duration
    ) async -> JobQueue.Claim? {
        var outcome = "lost"
        defer { metrics.jobAttemptFinished(kind: claim.kind, outcome: outcome, duration: ran) }
        let metadata: Logger.Metadata = [
            "job": .string(claim.id.lowercased), "kind": .string(claim.kind), "attempt": .stringConvertible(claim.attempt),
        ]
        do {
            switch event {
            case .finished(let result):
                let next = isStopping ? nil : JobQueue.ClaimRequest(workerId: id, kinds: kinds, lease: settings.lease)
                let (completed, claimed) = try await queue.complete(claim, outcome: result, thenClaim: next)
                if completed {
                    outcome = "done"
                } else {
                    logger.warning("job finished after its lease was lost; its result is discarded", metadata: metadata)
                }
                return claimed
            case .failed(let error, let permanent):
                let status: JobStatus?
                if softExpired {
                    status = try await queue.fail(claim, error: "stopped at the soft timeout", outcome: "timeout")
                    outcome = "timeout"
                } else {
                    status = try await queue.fail(claim, error: error, permanent: permanent)
                    outcome = "failed"
                }
                if status == .dead { outcome = "dead" }
            case .lost:
                work.cancel()
                logger.warning("job lease lost; another worker may run it", metadata: metadata)
            case .cancelRequested:
                work.cancel()
                try await queue.cancelled(claim)
                outcome = "cancelled"
            case .hardTimeout:
                work.cancel()
                let status = try await queue.fail(
                    claim, error: "timed out after \(hard.components.seconds) s", outcome: "timeout")
                outcome = status == .dead ? "dead" : "timeout"
            }
        } catch {
            // The database is unreachable: the lease runs out and another worker takes the job.
            logger.error("recording a job's outcome failed", metadata: metadata.merging(["error": .string("\(error)")]) { $1 })
        }
        return nil
    }

    /// Registers, then beats every few seconds (with the count of running jobs) and
    /// re-queues jobs whose worker died.
    private func beat() async {
        while !Task.isCancelled {
            let db = queue.database.db
            let count = running.withLock { $0.count }
            try? await WorkerRecord.query(on: db).filter(\.$id == id).set(\.$lastBeatMicros, to: .nowMicros)
                .set(\.$running, to: count).update()
            await scheduler?.tick()
            do {
                let reaped = try await queue.reap()
                if reaped > 0 {
                    logger.info("jobs re-queued after their worker stopped", metadata: ["jobs": .stringConvertible(reaped)])
                }
            } catch {
                logger.warning("reaping expired leases failed", metadata: ["error": .string("\(error)")])
            }
            try? await Task.sleep(for: .seconds(min(5, max(1, settings.leaseSeconds / 3))))
        }
    }

    private func register() async throws {
        let worker = WorkerRecord()
        worker.id = id
        worker.host = ProcessInfo.processInfo.hostName
        worker.pid = Int(ProcessInfo.processInfo.processIdentifier)
        worker.kinds = kinds.joined(separator: ",")
        worker.concurrency = settings.concurrency
        worker.running = 0
        worker.startedMicros = .nowMicros
        worker.lastBeatMicros = .nowMicros
        try await worker.create(on: queue.database.db)
    }

    /// Waits up to `drainSeconds` for running jobs, then gives the rest back to the queue.
    private func drain() async {
        let deadline = ContinuousClock.now + .seconds(settings.drainSeconds)
        while running.withLock({ !$0.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let left = running.withLock { Array($0.values) }
        for (claim, task) in left {
            try? await queue.release(claim)
            task.cancel()
        }
        if !left.isEmpty { logger.info("jobs given back at shutdown", metadata: ["jobs": .stringConvertible(left.count)]) }
    }
}

/// A flag set once, shared by the tasks of one job.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Sets it; returns whether it was set already.
    func set() -> Bool { value.exchange(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
