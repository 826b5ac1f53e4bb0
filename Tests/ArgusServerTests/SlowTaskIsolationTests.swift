import ArgusTestSupport
import ArgusVision
import Dispatch
import Foundation
import Testing

@testable import ArgusServer

/// Circle detection's cost is bounded, and it runs in a pool of its own: a slow one
/// never holds up `/detect`.
@Suite struct SlowTaskIsolationTests {
    static let texturedPhoto = TestEnvironment.shared.appendingPathComponent(
        "datasets/coco128/train2017/000000000061.jpg")

    /// Unbounded, the Hough transform took 20.7 s on this 640 × 488 photo (a quarter of
    /// its pixels are edges): the edge budget brings it within seconds.
    @Test func circlesOnATexturedPhotoFinishWithinTheirBound() async throws {
        let bytes = try Array(Data(contentsOf: Self.texturedPhoto))
        let image = try bytes.withUnsafeBytes { try Image.decode($0, limits: ImageLimits()) }
        let started = ContinuousClock.now
        let found = try HoughCircleDetector().detectNow(image, options: CircleOptions())
        let took = ContinuousClock.now - started
        #expect(took < .seconds(3), "\(took)")
        #expect(found.count <= CircleOptions().maxCircles)
        // The smallest threshold there is (schemathesis sent 5e-324): 1.25 times it is
        // itself again, and the edge budget's search once never ended.
        var tiny = CircleOptions()
        tiny.edgeThreshold = .leastNonzeroMagnitude
        let tinyStarted = ContinuousClock.now
        _ = try HoughCircleDetector().detectNow(image, options: tiny)
        #expect(ContinuousClock.now - tinyStarted < .seconds(5))
        // The same photo through the API, answered with the circles in the photo's own pixels.
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let answer = try await api.multipart("/api/v1/circles", .file(bytes), as: user)
            #expect(answer.status == .ok, "\(String(buffer: answer.body).prefix(300))")
            let circles = answer.json["circles"] as? [[String: Any]] ?? []
            let centres = circles.compactMap { $0["centroid"] as? [Double] }
            #expect(
                centres.count == circles.count && centres.allSatisfy { (0..<640).contains($0[0]) && (0..<488).contains($0[1]) })
        }
    }

    /// While circle detections hold every slot of their pool, `/detect` is answered in
    /// normal time, and a circles request beyond the line's deadline is refused at once
    /// with a `Retry-After`.
    @Test func aSlowCircleDetectionNeverHoldsUpDetection() async throws {
        var configuration = try await TestServer.configuration()
        configuration.inferenceMaxWaitSeconds = 10
        try await TestServer.run(configuration) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let pool = dependencies.circlePool
            // Teaches the pool that a job takes a second: its line then holds ten seconds' worth.
            try await pool.run { Thread.sleep(forTimeInterval: 1) }
            let letGo = DispatchSemaphore(value: 0)
            let hogs = (0..<pool.concurrency).map { _ in Task { try await pool.run { letGo.wait() } } }
            try await JobQueueTests.waitUntil(10) { pool.load.running == pool.concurrency }
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            for _ in 0..<3 {
                let started = ContinuousClock.now
                let detected = try await api.multipart("/api/v1/detect", .file(dog), as: user)
                #expect(detected.status == .ok)
                #expect(ContinuousClock.now - started < .seconds(5))
            }
            // Ten seconds of one-second jobs: about ten per slot.
            let allowed = pool.lineCapacity
            #expect((9...10).contains(allowed / pool.concurrency), "\(allowed)")
            let picture = try TestPictures.jpeg(seed: 3)
            var queued: [Task<APIClient.Response, any Error>] = []
            for index in 0..<allowed {
                queued.append(Task { try await api.multipart("/api/v1/circles", .file(picture), as: user) })
                try await JobQueueTests.waitUntil(10) { pool.load.waiting == index + 1 }
            }
            let busy = try await api.multipart("/api/v1/circles", .file(picture), as: user)
            #expect(busy.status == .serviceUnavailable && busy.errorCode == "busy", "\(String(buffer: busy.body))")
            #expect((Int(busy.header("Retry-After") ?? "") ?? 0) >= 1)
            for _ in hogs { letGo.signal() }
            for hog in hogs { try await hog.value }
            for waiter in queued { #expect(try await waiter.value.status == .ok) }
        }
    }
}
