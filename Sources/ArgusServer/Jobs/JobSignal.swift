import Foundation
import Synchronization

/// Wakes this process's idle workers the moment a job is enqueued or a slot frees, instead
/// of at their next poll. A worker reads `generation` before it looks for a job and waits
/// `since` it, so a signal fired in between is never lost. Workers in other processes
/// learn of new jobs by PostgreSQL's NOTIFY or at their next poll (`ARGUS_WORKER_POLL_MS`).
public final class JobSignal: Sendable {
    private struct State {
        var generation = 0
        var waiters: [UUID: Waiter] = [:]
    }

    /// One wait: resumed once, by a signal, its timeout or its end, whichever is first.
    private final class Waiter: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<Void, Never>?, done: Bool)>((nil, false))

        /// Parks the continuation, or resumes it at once if the wait already ended.
        func park(_ continuation: CheckedContinuation<Void, Never>) {
            let resumeNow = state.withLock { state -> Bool in
                if state.done { return true }
                state.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }

        func finish() {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state = (nil, true) }
                return state.done ? nil : state.continuation
            }
            continuation?.resume()
        }
    }

    private let state = Mutex(State())

    public init() {}

    var generation: Int { state.withLock { $0.generation } }

    func fire() {
        let woken = state.withLock { state -> [Waiter] in
            state.generation += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.finish() }
    }

    /// Returns at the first `fire()` after `seen` (at once if one came already), or after `timeout`.
    func wait(since seen: Int, timeout: Duration) async {
        let waiter = Waiter()
        let token = UUID()
        let registered = state.withLock { state -> Bool in
            guard state.generation == seen else { return false }
            state.waiters[token] = waiter
            return true
        }
        guard registered else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await withCheckedContinuation { waiter.park($0) } }
            group.addTask {
                try? await Task.sleep(for: timeout)
                waiter.finish()
            }
            await group.next()
            group.cancelAll()
            waiter.finish()
        }
        _ = state.withLock { $0.waiters.removeValue(forKey: token) }
    }
}
