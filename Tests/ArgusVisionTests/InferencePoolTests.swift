import ArgusVision
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct InferencePoolTests {
    @Test func refusesWorkBeyondItsSlotsAndQueue() async throws {
        let pool = InferencePool(concurrency: 1, queueLimit: 1)
        // The gate blocks a Dispatch thread, never one of Swift's few cooperative threads.
        let gate = DispatchSemaphore(value: 0)
        let running = Task {
            try await pool.run {
                gate.wait()
                return 1
            }
        }
        while pool.load.running == 0 { try await Task.sleep(for: .milliseconds(2)) }
        let waiting = Task { try await pool.run { 2 } }
        // Let the second job reach the queue.
        while pool.load.waiting == 0 { try await Task.sleep(for: .milliseconds(2)) }
        await #expect(throws: InferencePoolError.self) { try await pool.run { 3 } }
        gate.signal()
        #expect(try await running.value == 1)
        #expect(try await waiting.value == 2)
        #expect(pool.load.running == 0 && pool.load.waiting == 0)
        #expect(try await pool.run { 4 } == 4)
    }

    @Test func errorsInsideJobsReachTheCaller() async {
        struct Boom: Error {}
        let pool = InferencePool(concurrency: 2, queueLimit: 0)
        await #expect(throws: Boom.self) { try await pool.run { throw Boom() } }
        #expect(pool.load.running == 0)
    }

    /// The line is bounded by time: a newcomer predicted to wait longer than `maxWait`
    /// (its place times the measured service time) is refused with the time the line
    /// needs to drain, and one that waits that long anyway leaves it refused.
    @Test func waitsAreBoundedByTheDeadlineNotOnlyTheCount() async throws {
        // Jobs of a second and a ten-second deadline: filling the line takes a moment even
        // on a loaded machine, long before the first waiter's deadline.
        let pool = InferencePool(concurrency: 1, queueLimit: 1000, maxWait: .seconds(10))
        // Teaches the pool its service time: about a second a job.
        try await pool.run { Thread.sleep(forTimeInterval: 1) }
        #expect(pool.serviceSeconds >= 1 && pool.serviceSeconds < 3, "\(pool.serviceSeconds)")
        let gate = DispatchSemaphore(value: 0)
        let hog = Task { try await pool.run { gate.wait() } }
        while pool.load.running == 0 { try await Task.sleep(for: .milliseconds(2)) }
        var waiters: [Task<Int, any Error>] = []
        let filling = ContinuousClock.now
        while pool.refusal() == nil && waiters.count < 100 {
            waiters.append(Task { try await pool.run { 0 } })
            let expected = waiters.count
            while pool.load.waiting < expected {
                guard ContinuousClock.now - filling < .seconds(8) else {
                    Issue.record("the line took over 8 s to fill: \(pool.load.waiting) of \(expected) waiting")
                    gate.signal()
                    return
                }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        // Ten seconds of one-second jobs on one slot: about ten in line, far below the count limit.
        let expected = Int(10 / pool.serviceSeconds)
        #expect(abs(waiters.count - expected) <= 1, "\(waiters.count) waiting at the first refusal, \(expected) expected")
        guard case .saturated(let retryAfter)? = pool.refusal() else {
            Issue.record("no refusal")
            gate.signal()
            return
        }
        // One job's time to drain to a place, plus up to a second of jitter.
        #expect(retryAfter >= 1 && retryAfter <= 4, "\(retryAfter)")
        await #expect(throws: InferencePoolError.self) { try await pool.run { 1 } }
        // Still behind the hog at their deadline: every waiter is refused, none runs.
        let started = ContinuousClock.now
        for waiter in waiters { await #expect(throws: InferencePoolError.self) { try await waiter.value } }
        #expect(ContinuousClock.now - started < .seconds(12))
        #expect(pool.load.waiting == 0)
        gate.signal()
        try await hog.value
        #expect(try await pool.run { 2 } == 2)
    }

    /// Waiters get the slot in the order they came.
    @Test func waitersRunFirstComeFirstServed() async throws {
        let pool = InferencePool(concurrency: 1, queueLimit: 100)
        let gate = DispatchSemaphore(value: 0)
        final class Order: Sendable { let list = Mutex<[Int]>([]) }
        let order = Order()
        let hog = Task { try await pool.run { gate.wait() } }
        while pool.load.running == 0 { try await Task.sleep(for: .milliseconds(2)) }
        var waiters: [Task<Void, any Error>] = []
        for index in 0..<20 {
            waiters.append(Task { try await pool.run { order.list.withLock { $0.append(index) } } })
            while pool.load.waiting < index + 1 { try await Task.sleep(for: .milliseconds(1)) }
        }
        gate.signal()
        try await hog.value
        for waiter in waiters { try await waiter.value }
        #expect(order.list.withLock { $0 } == Array(0..<20))
    }

    /// Places reserved before a request's body is read count in the line: once they fill
    /// it, newcomers are refused; a reservation runs without being refused again, and
    /// one dropped unused gives its place back.
    @Test func reservationsHoldPlacesUntilTheyRunOrAreDropped() async throws {
        let pool = InferencePool(concurrency: 1, queueLimit: 2)
        let gate = DispatchSemaphore(value: 0)
        let hog = Task { try await pool.run { gate.wait() } }
        while pool.load.running == 0 { try await Task.sleep(for: .milliseconds(2)) }
        var first: InferencePool.Reservation? = try pool.reserve()
        let second = try pool.reserve()
        #expect(pool.load.waiting == 2)
        #expect(throws: InferencePoolError.self) { _ = try pool.reserve() }
        #expect(pool.refusal() != nil)
        _ = first
        first = nil
        #expect(pool.load.waiting == 1)
        let third = try pool.reserve()
        let runs = [second, third].map { reservation in Task { try await pool.run(reservation: reservation) { 7 } } }
        gate.signal()
        try await hog.value
        for run in runs { #expect(try await run.value == 7) }
        #expect(pool.load.running == 0 && pool.load.waiting == 0)
    }
}
