import Dispatch
import Foundation
import Synchronization

public enum InferencePoolError: Error, Sendable, CustomStringConvertible {
    /// Every slot is busy and a newcomer would wait longer than the pool allows (or the
    /// line is full, or it did wait that long): try again in `retryAfterSeconds`.
    case saturated(retryAfterSeconds: Int)

    public var description: String { "the inference pool is busy; retry shortly" }
}

/// Bounds CPU-heavy work (decode, inference): at most `concurrency` jobs run, and the
/// others wait in first-come order. A job is refused at once, instead of queueing without
/// bound, when the line holds `queueLimit` jobs or when its predicted wait (its place in
/// line times the measured service time, over the slots) exceeds `maxWait`; a job that
/// has waited `maxWait` anyway is refused then. Work runs on the pool's own threads, at a
/// lower priority (`InferenceThreads`), never on Swift's cooperative pool.
public final class InferencePool: Sendable {
    public let concurrency: Int
    public let queueLimit: Int
    public let maxWait: Duration

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var running = 0
        var waiting: [Waiter] = []
        var nextId: UInt64 = 0
        /// Places taken by requests admitted before their body was read, not yet in line.
        var reserved = 0
        /// About the refusals of the last second: decays by e every second.
        var refusals = 0.0
        var lastRefusal = ContinuousClock.now

        func recentRefusals(at now: ContinuousClock.Instant) -> Double {
            refusals * exp(-Self.seconds(now - lastRefusal))
        }

        mutating func noteRefusal(at now: ContinuousClock.Instant) {
            refusals = recentRefusals(at: now) + 1
            lastRefusal = now
        }

        static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        /// Seconds one job holds a slot, a moving average; 0 until one has finished.
        var serviceSeconds = 0.0
    }
    private let state = Mutex(State())
    private let threads: InferenceThreads
    /// Only for the waiters' deadlines.
    private let timers = DispatchQueue(label: "argus.inference.timers")
    private let maxWaitSeconds: Double

    public init(concurrency: Int, queueLimit: Int, maxWait: Duration = .seconds(10)) {
        self.concurrency = max(1, concurrency)
        self.queueLimit = max(0, queueLimit)
        self.maxWait = maxWait
        threads = InferenceThreads(count: self.concurrency, name: "argus-inference")
        let parts = maxWait.components
        maxWaitSeconds = max(0.001, Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }

    /// Jobs running or waiting right now (the waiting count includes reserved places).
    public var load: (running: Int, waiting: Int) {
        state.withLock { ($0.running, $0.waiting.count + $0.reserved) }
    }

    /// The measured seconds one job holds a slot (a moving average; 0 before the first).
    public var serviceSeconds: Double { state.withLock { $0.serviceSeconds } }

    /// How many may wait right now: the count limit, or fewer when the measured service
    /// time would make the last of them wait longer than `maxWait`.
    public var lineCapacity: Int { state.withLock { lineCapacity(for: $0) } }

    private func lineCapacity(for state: State) -> Int {
        let perJob = state.serviceSeconds / Double(concurrency)
        return perJob > 0 ? min(queueLimit, Int(maxWaitSeconds / perJob)) : queueLimit
    }

    /// The refusal a job arriving now would get, or nil when it would be taken: lets a
    /// route refuse before it reads (and pays for) a request's body.
    public func refusal() -> InferencePoolError? {
        state.withLock { refusal(for: $0) }
    }

    /// A place in line for a request that has not read its body yet, or the refusal it
    /// gets now. Under load the time before a job reaches the pool (reading and parsing
    /// the upload, with every core busy) is where requests wait, so admission counts
    /// them from here: a refusal then costs next to nothing, and the line's deadline
    /// covers that wait too. `run(reservation:)` turns it into the job's place; a
    /// reservation dropped unused gives its place back.
    public func reserve() throws(InferencePoolError) -> Reservation {
        let refused: InferencePoolError? = state.withLock { state in
            if let refusal = refuse(&state) { return refusal }
            state.reserved += 1
            return nil
        }
        if let refused { throw refused }
        return Reservation(pool: self)
    }

    /// A place taken by `reserve()`.
    public final class Reservation: Sendable {
        private let pool: InferencePool
        private let held = Atomic(true)

        fileprivate init(pool: InferencePool) { self.pool = pool }

        fileprivate func belongs(to other: InferencePool) -> Bool { pool === other }

        /// True once only: the place is handed over (to the job or back to the pool).
        fileprivate func take() -> Bool { held.exchange(false, ordering: .acquiringAndReleasing) }

        deinit { if take() { pool.state.withLock { $0.reserved -= 1 } } }
    }

    /// Runs `work` in a slot; with a reservation of this pool, the job takes its place
    /// without being refused again.
    public func run<Result: Sendable>(
        reservation: Reservation? = nil, _ work: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        precondition(reservation.map { $0.belongs(to: self) } ?? true, "a reservation of another pool")
        try await acquire(reserved: reservation?.take() == true)
        // The work's own time, measured on its thread: the hop back to the caller may
        // wait for a busy cooperative pool, which says nothing about the next job.
        let took = Mutex(Duration.zero)
        defer { release(heldFor: took.withLock { $0 }) }
        return try await withCheckedThrowingContinuation { continuation in
            threads.submit {
                let start = ContinuousClock.now
                let result = Swift.Result { try work() }
                took.withLock { $0 = start.duration(to: .now) }
                continuation.resume(with: result)
            }
        }
    }

    private enum Admission {
        case run
        case wait(UInt64)
        case refuse(InferencePoolError)
    }

    /// Refused when the line is full or the newcomer's predicted wait is over `maxWait`.
    /// `Retry-After` is the longer of the time until the line has drained to where one
    /// would be taken, and the time the slots need to serve everyone refused in the last
    /// second, plus up to a second at random: clients that honour it then come back
    /// spread out, at about the rate they can be served, instead of all at once to be
    /// refused again (each refusal still costs its upload).
    private func refusal(for state: State) -> InferencePoolError? {
        let line = state.waiting.count + state.reserved
        guard state.running + line >= concurrency else { return nil }
        let perJob = state.serviceSeconds / Double(concurrency)
        let allowed = lineCapacity(for: state)
        guard line >= allowed else { return nil }
        let drain = Double(line - allowed + 1) * perJob
        let refused = (state.recentRefusals(at: .now) + 1) * perJob
        return .saturated(retryAfterSeconds: Self.retryAfter(max(drain, refused) + Double.random(in: 0..<1)))
    }

    /// `refusal(for:)`, counted when it is given.
    private func refuse(_ state: inout State) -> InferencePoolError? {
        guard let refusal = refusal(for: state) else { return nil }
        state.noteRefusal(at: .now)
        return refusal
    }

    private static func retryAfter(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 1 }
        return max(1, min(3600, Int(seconds.rounded(.up))))
    }

    private func acquire(reserved: Bool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let admission: Admission = state.withLock { state in
                if reserved { state.reserved -= 1 }
                if state.running < concurrency {
                    state.running += 1
                    return .run
                }
                if !reserved, let refusal = refuse(&state) { return .refuse(refusal) }
                state.nextId += 1
                state.waiting.append(Waiter(id: state.nextId, continuation: continuation))
                return .wait(state.nextId)
            }
            switch admission {
            case .run: continuation.resume()
            case .refuse(let error): continuation.resume(throwing: error)
            case .wait(let id):
                timers.asyncAfter(deadline: .now() + maxWaitSeconds) { [self] in expire(id) }
            }
        }
    }

    /// A job still waiting when its `maxWait` is up leaves the line, refused.
    private func expire(_ id: UInt64) {
        let expired: (Waiter, Int)? = state.withLock { state in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = state.waiting.remove(at: index)
            state.noteRefusal(at: .now)
            let perJob = state.serviceSeconds / Double(concurrency)
            return (waiter, Self.retryAfter(Double(state.waiting.count + state.reserved + 1) * perJob))
        }
        if let (waiter, seconds) = expired {
            waiter.continuation.resume(throwing: InferencePoolError.saturated(retryAfterSeconds: seconds))
        }
    }

    /// Hands the slot to the next waiter, or frees it, and folds the job's time into the
    /// service time (weight 1/8: steady, yet follows a change of model within a few dozen jobs).
    private func release(heldFor duration: Duration) {
        let parts = duration.components
        let seconds = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
        let next: Waiter? = state.withLock { state in
            state.serviceSeconds = state.serviceSeconds == 0 ? seconds : state.serviceSeconds * 0.875 + seconds * 0.125
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume()
    }
}
