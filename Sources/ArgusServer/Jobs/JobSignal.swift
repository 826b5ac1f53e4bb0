import Synchronization

/// Wakes this process's idle workers soon after a job is enqueued here (within one
/// 10 ms step), instead of at their next poll. Workers in other processes find the job
/// at their next poll (`ARGUS_WORKER_POLL_MS`).
public final class JobSignal: Sendable {
    private let generation = Atomic<Int>(0)

    public init() {}

    func fire() { generation.add(1, ordering: .relaxed) }

    /// Returns soon after the next `fire()`, or after `timeout`.
    func wait(timeout: Duration) async {
        let seen = generation.load(ordering: .relaxed)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, generation.load(ordering: .relaxed) == seen, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
