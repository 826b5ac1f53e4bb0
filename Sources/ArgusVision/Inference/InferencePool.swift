import Dispatch
import Synchronization

public enum InferencePoolError: Error, Sendable, CustomStringConvertible {
    /// Every slot is busy and the waiting line is full: try again shortly.
    case saturated

    public var description: String { "the inference pool is busy; retry shortly" }
}

/// Bounds CPU-heavy work (decode, inference): at most `concurrency` jobs run, at most
/// `queueLimit` wait, and anything beyond is refused at once instead of queueing
/// without bound. Work runs on Dispatch threads, never on Swift's cooperative pool.
public final class InferencePool: Sendable {
    public let concurrency: Int
    public let queueLimit: Int

    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, any Error>] = []
    }
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "argus.inference", attributes: .concurrent)

    public init(concurrency: Int, queueLimit: Int) {
        self.concurrency = max(1, concurrency)
        self.queueLimit = max(0, queueLimit)
    }

    /// Jobs running or waiting right now.
    public var load: (running: Int, waiting: Int) {
        state.withLock { ($0.running, $0.waiting.count) }
    }

    public func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await acquire()
        defer { release() }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Swift.Result { try work() }) }
        }
    }

    private enum Admission { case run, wait, refuse }

    private func acquire() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let admission: Admission = state.withLock { state in
                if state.running < concurrency {
                    state.running += 1
                    return .run
                }
                guard state.waiting.count < queueLimit else { return .refuse }
                state.waiting.append(continuation)
                return .wait
            }
            switch admission {
            case .run: continuation.resume()
            case .refuse: continuation.resume(throwing: InferencePoolError.saturated)
            case .wait: break
            }
        }
    }

    /// Hands the slot to the next waiter, or frees it.
    private func release() {
        let next: CheckedContinuation<Void, any Error>? = state.withLock { state in
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
