import ArgusTestSupport
import ArgusVision
import Dispatch
import Foundation
import HTTPTypes
import Testing

@testable import ArgusServer

/// `POST /api/v1/detect/batch` end to end with a worker: 50 images, one of them corrupt.
@Suite struct BatchDetectTests {
    @Test func fiftyImagesWithACorruptOneGiveFortyNineResultsAndOneItemError() async throws {
        try await TestServer.run(try await JobQueueTests.configuration()) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            var body = MultipartBody()
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            body.addFile(name: "images", filename: "dog.jpg", bytes: dog)
            for seed in 1...48 {
                body.addFile(name: "images", filename: "synthetic-\(seed).jpg", bytes: try TestPictures.jpeg(seed: UInt64(seed)))
            }
            body.addFile(name: "images", filename: "corrupt.jpg", bytes: Array(dog.prefix(600)))
            let created = try await api.multipart("/api/v1/detect/batch?conf=0.3", body, as: user)
            #expect(created.status == .accepted, "\(String(buffer: created.body))")
            let id = try #require(created.json["id"] as? String)
            #expect(created.header("Location") == "/api/v1/detect/jobs/\(id)")
            try await JobQueueTests.withWorkers(dependencies) {
                let stream = try await api.get("/api/v1/jobs/\(id)/events", as: user)
                let progress = String(buffer: stream.body).components(separatedBy: "\n\n").compactMap { event -> Int? in
                    guard let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") })?.dropFirst(6),
                        let json = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
                    else { return nil }
                    return json["progress"] as? Int
                }
                #expect(progress.count >= 3 && progress == progress.sorted() && progress.last == 100, "\(progress)")
            }
            let job = try await api.get("/api/v1/detect/jobs/\(id)", as: user)
            #expect(job.json["status"] as? String == "done", "\(String(buffer: job.body).prefix(500))")
            let result = try #require(job.json["result"] as? [String: Any])
            let summary = try #require(result["summary"] as? [String: Int])
            #expect(summary["images"] == 50 && summary["succeeded"] == 49 && summary["failed"] == 1)
            let items = try #require(result["items"] as? [[String: Any]])
            let failed = items.filter { $0["status"] as? String == "failed" }
            #expect(failed.count == 1 && failed.first?["filename"] as? String == "corrupt.jpg")
            #expect(failed.first?["index"] as? Int == 49)
            let first = try #require(items.first)
            #expect((first["detections"] as? [[String: Any]])?.contains { $0["label"] as? String == "dog" } == true)
            // Stored like any upload, with their runs in the history.
            let imageId = try #require(first["image_id"] as? String)
            let shown = try await api.get("/api/v1/images/\(imageId)", as: user)
            #expect((shown.json["object_count"] as? Int ?? 0) > 0)
            let history = try await api.get("/api/v1/detect/history?limit=100", as: user)
            #expect((history.json["items"] as? [[String: Any]])?.count == 49)

            // Stored ids as JSON: the same images again, and one unknown.
            let again = try await api.request(
                .post, "/api/v1/detect/batch", json: ["image_ids": [imageId, UUID().uuidString]], headers: user.bearer)
            #expect(again.status == .accepted, "\(String(buffer: again.body))")
            #expect(try await api.get("/api/v1/detect/jobs/\(UUID().uuidString)", as: user).status == .notFound)
        }
    }

    /// A job has no client to answer `503 busy`: while requests hold every slot of the
    /// inference pool, its images wait their turn instead of failing.
    @Test func aBatchWaitsForABusyPoolInsteadOfFailingItsImages() async throws {
        let pool = InferencePool(concurrency: 1, queueLimit: 0)
        try await TestServer.run(try await JobQueueTests.configuration(), pool: pool) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            var body = MultipartBody()
            for seed in 1...3 {
                body.addFile(name: "images", filename: "s\(seed).jpg", bytes: try TestPictures.jpeg(seed: UInt64(seed)))
            }
            let created = try await api.multipart("/api/v1/detect/batch", body, as: user)
            let id = try #require(created.json["id"] as? String)
            // The only slot is held, as a long request would, until the test lets go:
            // a timed hold races a loaded machine.
            let letGo = DispatchSemaphore(value: 0)
            let hog = Task { try await pool.run { letGo.wait() } }
            try await JobQueueTests.waitUntil(10) { pool.load.running == 1 }
            let busy = try await api.upload(try TestPictures.jpeg(seed: 9), query: "tasks=detect", as: user)
            #expect(busy.status == .serviceUnavailable, "a request is refused at once")
            try await JobQueueTests.withWorkers(dependencies) {
                // The workers meet the busy pool first, then it frees up.
                try await Task.sleep(for: .milliseconds(300))
                letGo.signal()
                try await JobQueueTests.waitUntil(30) {
                    (try await api.get("/api/v1/detect/jobs/\(id)", as: user).json["status"] as? String) == "done"
                }
            }
            letGo.signal()  // in case the wait above gave up
            _ = try await hog.value
            let job = try await api.get("/api/v1/detect/jobs/\(id)", as: user)
            let summary = (job.json["result"] as? [String: Any])?["summary"] as? [String: Int]
            #expect(summary?["succeeded"] == 3 && summary?["failed"] == 0, "\(String(buffer: job.body).prefix(400))")
        }
    }
}
