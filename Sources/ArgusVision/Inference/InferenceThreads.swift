import CImaging
import Foundation
import Synchronization

/// The threads an `InferencePool` runs its jobs on: one per slot, its own, at a lower
/// scheduling priority (nice 10). Inference uses every cycle it is given, and at equal
/// priority it took the cores from the threads that read requests and write answers: under
/// load every request then crept through its upload at once, each finishing late, instead
/// of queueing first come, first served at the pool. Lowered, inference still gets every
/// idle cycle, and the server's own short work always runs first.
final class InferenceThreads: Sendable {
    /// What the threads share with the owner; they hold this, not the owner, so that the
    /// owner's deinit can stop them.
    private final class Shared: Sendable {
        let jobs = Mutex<[@Sendable () -> Void]>([])
        let ready = DispatchSemaphore(value: 0)
    }
    private let shared = Shared()
    private let count: Int

    static let nice: Int32 = 10

    init(count: Int, name: String) {
        self.count = count
        for index in 0..<count {
            let thread = Thread { [shared] in
                _ = ci_set_thread_nice(Self.nice)
                while true {
                    shared.ready.wait()
                    let job: (@Sendable () -> Void)? = shared.jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                    guard let job else { return }  // woken with nothing to do: stopping
                    job()
                }
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `job` on the first free thread, in the order submitted.
    func submit(_ job: @escaping @Sendable () -> Void) {
        shared.jobs.withLock { $0.append(job) }
        shared.ready.signal()
    }

    deinit {
        // Each thread wakes to an empty queue and ends (jobs still queued run first).
        for _ in 0..<count { shared.ready.signal() }
    }
}
