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
        let pool = InferencePool(concurrency: 1, queueLimit: 1000, maxWait: .seconds(1))
        // Teaches the pool its service time: about 100 ms a job.
        try await pool.run { Thread.sleep(forTimeInterval: 0.1) }
        // At nice 10 on a loaded machine the 100 ms job can take longer; the line follows it.
        #expect(pool.serviceSeconds >= 0.1 && pool.serviceSeconds < 0.5, "\(pool.serviceSeconds)")
        let gate = DispatchSemaphore(value: 0)
        let hog = Task { try await pool.run { gate.wait() } }
        while pool.load.running == 0 { try await Task.sleep(for: .milliseconds(2)) }
        var waiters: [Task<Int, any Error>] = []
        while pool.refusal() == nil && waiters.count < 100 {
            waiters.append(Task { try await pool.run { 0 } })
            let expected = waiters.count
            while pool.load.waiting < expected { try await Task.sleep(for: .milliseconds(1)) }
        }
        // One second of 100 ms jobs on one slot: about ten in line, far below the count limit.
        let expected = Int(1 / pool.serviceSeconds)
        #expect(abs(waiters.count - expected) <= 1, "\(waiters.count) waiting at the first refusal, \(expected) expected")
        guard case .saturated(let retryAfter)? = pool.refusal() else {
            Issue.record("no refusal")
            return
        }
        #expect(retryAfter >= 1 && retryAfter <= 2)
        await #expect(throws: InferencePoolError.self) { try await pool.run { 1 } }
        // Still behind the hog after a second: every waiter is refused, none runs.
        let started = ContinuousClock.now
        for waiter in waiters { await #expect(throws: InferencePoolError.self) { try await waiter.value } }
        #expect(ContinuousClock.now - started < .seconds(3))
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
