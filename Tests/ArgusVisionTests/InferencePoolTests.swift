import ArgusVision
import Dispatch
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
}
