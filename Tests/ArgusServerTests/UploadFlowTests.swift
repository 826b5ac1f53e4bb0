import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

@testable import ArgusServer

/// `POST /api/v1/uploads`: stored at once, tasks in the background, followed by task id.
@Suite struct UploadFlowTests {
    @Test func anUploadIsStoredAtOnceAndItsTasksRunAsAJob() async throws {
        try await TestServer.run(try await JobQueueTests.configuration()) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            var body = MultipartBody()
            body.addFile(name: "file", filename: "dog.jpg", bytes: dog)
            body.addField(name: "tasks", value: "detect,circles")
            let accepted = try await api.multipart("/api/v1/uploads?conf=0.3", body, as: user)
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let uploadId = try #require(accepted.json["upload_id"] as? String)
            let taskId = try #require(accepted.json["task_id"] as? String)
            #expect(accepted.json["status"] as? String == "queued")
            // Stored before any task ran: the image answers at once, with no objects yet.
            let early = try await api.get("/api/v1/uploads/\(uploadId)", as: user)
            #expect(early.status == .ok && (early.json["task"] as? [String: Any])?["status"] as? String == "queued")
            try await JobQueueTests.withWorkers(dependencies) {
                try await JobQueueTests.waitUntil {
                    try await api.get("/api/v1/tasks/\(taskId)", as: user).json["status"] as? String == "done"
                }
            }
            let task = try await api.get("/api/v1/tasks/\(taskId)", as: user)
            #expect(task.json["upload_id"] as? String == uploadId)
            #expect((task.json["processing_ms"] as? Double ?? -1) >= 0)
            let tasks = try #require((task.json["result"] as? [String: Any])?["tasks"] as? [String: [String: Any]])
            #expect(Set(tasks.keys) == ["detect", "circles"])
            let objects = try #require(task.json["objects"] as? [[String: Any]])
            #expect(objects.contains { $0["label"] as? String == "dog" })
            let links = try #require(task.json["links"] as? [String: String])
            let annotated = try await api.get(try #require(links["annotated_url"]), as: nil)
            #expect(annotated.status == .ok && annotated.header("Content-Type") == "image/jpeg")
            // The same bytes again: the first upload and its task.
            let again = try await api.multipart("/api/v1/uploads", .file(dog, name: "file"), as: user)
            #expect(again.status == .ok && again.json["duplicate"] as? Bool == true)
            #expect(again.json["upload_id"] as? String == uploadId && again.json["task_id"] as? String == taskId)
            let list = try await api.get("/api/v1/uploads", as: user)
            #expect((list.json["items"] as? [[String: Any]])?.first?["task_id"] as? String == taskId)
            #expect(try await api.get("/api/v1/tasks/\(UUID().uuidString)", as: user).status == .notFound)
            let other = try await api.signUp()
            #expect(try await api.get("/api/v1/tasks/\(taskId)", as: other).status == .notFound)
            #expect(try await api.get("/api/v1/uploads/\(uploadId)", as: other).status == .notFound)
        }
    }

    /// The `faces` task: CenterFace's faces become the image's objects, labelled `face`,
    /// and the run is in the history.
    @Test func theFacesTaskStoresFacesAsObjects() async throws {
        try await TestServer.run(try await JobQueueTests.configuration()) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            var body = MultipartBody()
            body.addFile(name: "file", filename: "astronaut.png", bytes: try TestEnvironment.sampleBytes("skimage_astronaut.png"))
            body.addField(name: "tasks", value: "faces")
            let accepted = try await api.multipart("/api/v1/uploads", body, as: user)
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let taskId = try #require(accepted.json["task_id"] as? String)
            try await JobQueueTests.withWorkers(dependencies) {
                try await JobQueueTests.waitUntil {
                    try await api.get("/api/v1/tasks/\(taskId)", as: user).json["status"] as? String == "done"
                }
            }
            let task = try await api.get("/api/v1/tasks/\(taskId)", as: user)
            let faces = try #require(((task.json["result"] as? [String: Any])?["tasks"] as? [String: [String: Any]])?["faces"])
            #expect(faces["model"] as? String == "centerface" && faces["object_count"] as? Int == 1)
            let objects = try #require(task.json["objects"] as? [[String: Any]])
            #expect(objects.count == 1 && objects.first?["label"] as? String == "face")
            let history = try await api.get("/api/v1/detect/history?task=faces", as: user)
            #expect((history.json["items"] as? [[String: Any]])?.count == 1)
        }
    }
}
