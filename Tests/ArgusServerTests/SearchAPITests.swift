import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

@testable import ArgusServer

/// Similarity search, label and tag search and near-duplicate groups over uploads
/// embedded by the `embed` task, against the real model and database.
@Suite struct SearchAPITests {
    /// Uploads `bytes` through the upload flow with `tasks` and returns (image id, task id).
    static func upload(
        _ api: APIClient, _ bytes: [UInt8], _ filename: String, tasks: String, as user: APIClient.User
    ) async throws -> (String, String) {
        var body = MultipartBody()
        body.addFile(name: "file", filename: filename, bytes: bytes)
        body.addField(name: "tasks", value: tasks)
        let accepted = try await api.multipart("/api/v1/uploads", body, as: user)
        try #require(accepted.status == .accepted, "\(filename): \(String(buffer: accepted.body))")
        return (try #require(accepted.json["upload_id"] as? String), try #require(accepted.json["task_id"] as? String))
    }

    static func ids(_ response: APIClient.Response) -> [String] {
        (response.json["items"] as? [[String: Any]] ?? []).compactMap { $0["image_id"] as? String }
    }

    static func score(_ response: APIClient.Response, of id: String) -> Double? {
        (response.json["items"] as? [[String: Any]])?.first { $0["image_id"] as? String == id }?["score"] as? Double
    }

    /// The PostgreSQL pass also runs the search through pgvector, on the second server.
    static let indexes = TestDatabase.kind == "postgres" ? ["exact", "pgvector"] : ["exact"]

    @Test(arguments: indexes) func embeddedUploadsCanBeSearchedBySimilarityLabelsAndTags(index: String) async throws {
        var configuration = try await JobQueueTests.configuration()
        if index == "pgvector" {
            configuration.databaseURL = try await TestDatabase.fresh(pgvector: true)
            configuration.searchIndex = .pgvector
        }
        try await TestServer.run(configuration) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let coffee = try TestEnvironment.sampleBytes("skimage_coffee.png")
            let original = try Image.decode(coffee)
            let coffeeCopy = try original.resampled(width: original.width * 3 / 4, height: original.height * 3 / 4)
                .encoded(as: .jpeg(quality: 80))
            var ids: [String: String] = [:]
            var taskIds: [String] = []
            for (name, bytes, tasks) in [
                ("coffee", coffee, "embed"), ("coffee-copy", coffeeCopy, "embed"),
                ("orange", try TestEnvironment.sampleBytes("opencv_orange.jpg"), "embed"),
                ("fruits", try TestEnvironment.sampleBytes("opencv_fruits.jpg"), "embed"),
                ("dog", try TestEnvironment.sampleBytes("darknet_dog.jpg"), "detect,embed"),
            ] {
                let (imageId, taskId) = try await Self.upload(api, bytes, name + ".img", tasks: tasks, as: user)
                ids[name] = imageId
                taskIds.append(taskId)
            }
            // Stored with detection only, through the synchronous route: embedded on demand.
            let baboon = try await api.upload(try TestEnvironment.sampleBytes("opencv_baboon.jpg"), as: user)
            #expect(baboon.status == .created)
            ids["baboon"] = try #require(baboon.json["id"] as? String)
            try await JobQueueTests.withWorkers(dependencies) {
                for taskId in taskIds {
                    try await JobQueueTests.waitUntil {
                        try await api.get("/api/v1/tasks/\(taskId)", as: user).json["status"] as? String == "done"
                    }
                }
            }
            let task = try await api.get("/api/v1/tasks/\(taskIds[0])", as: user)
            let embed = try #require(
                ((task.json["result"] as? [String: Any])?["tasks"] as? [String: [String: Any]])?["embed"])
            #expect(embed["model"] as? String == "efficientnet-lite0")
            #expect((embed["tags"] as? [[String: Any]])?.first?["label"] as? String == "espresso")

            // The resized JPEG copy is the closest image to the original, and its duplicate.
            let similar = try await api.get("/api/v1/images/\(ids["coffee"]!)/similar?limit=3", as: user)
            #expect(similar.status == .ok, "\(String(buffer: similar.body))")
            #expect(Self.ids(similar).first == ids["coffee-copy"])
            #expect(!Self.ids(similar).contains(ids["coffee"]!) && Self.ids(similar).count == 3)
            #expect((Self.score(similar, of: ids["coffee-copy"]!) ?? 0) > 0.85)
            #expect(similar.json["index"] as? String == index)
            let fruit = try await api.get("/api/v1/images/\(ids["orange"]!)/similar?limit=10", as: user)
            let ranking = Self.ids(fruit)
            #expect(ranking.firstIndex(of: ids["fruits"]!)! < ranking.firstIndex(of: ids["dog"]!)!)
            let strict = try await api.get("/api/v1/images/\(ids["coffee"]!)/similar?threshold=0.85", as: user)
            #expect(Self.ids(strict) == [ids["coffee-copy"]!])

            // The baboon had no embedding: it is embedded now, and then found by others.
            let fromBaboon = try await api.get("/api/v1/images/\(ids["baboon"]!)/similar", as: user)
            #expect(fromBaboon.status == .ok && Self.ids(fromBaboon).count == 5)
            let history = try await api.get("/api/v1/detect/history?task=embed", as: user)
            #expect((history.json["items"] as? [[String: Any]])?.count == 6, "\(String(buffer: history.body))")

            // By an uploaded image, which is not stored.
            var query = MultipartBody()
            query.addFile(name: "image", filename: "q.jpg", bytes: try TestEnvironment.sampleBytes("opencv_orange.jpg"))
            let byUpload = try await api.multipart("/api/v1/search/similar?limit=2", query, as: user)
            #expect(byUpload.status == .ok, "\(String(buffer: byUpload.body))")
            #expect(Self.ids(byUpload).first == ids["orange"] && (Self.score(byUpload, of: ids["orange"]!) ?? 0) > 0.99)
            #expect((byUpload.json["tags"] as? [[String: Any]])?.first?["label"] as? String == "orange")
            #expect(byUpload.json["searched"] as? Int == 6)
            let listed = try await api.get("/api/v1/images?limit=100", as: user)
            #expect((listed.json["items"] as? [[String: Any]])?.count == 6)

            // By labels (detection) and tags (classification); every term must match.
            let dog = try await api.get("/api/v1/search?q=dog", as: user)
            #expect(dog.status == .ok && Self.ids(dog) == [ids["dog"]!], "\(String(buffer: dog.body))")
            #expect(Self.ids(try await api.get("/api/v1/search?q=dogs+bicycle", as: user)) == [ids["dog"]!])
            #expect(
                Set(Self.ids(try await api.get("/api/v1/search?q=espresso", as: user))) == [ids["coffee"]!, ids["coffee-copy"]!])
            #expect(Self.ids(try await api.get("/api/v1/search?q=dog+espresso", as: user)).isEmpty)
            #expect(Self.ids(try await api.get("/api/v1/search?q=zebra", as: user)).isEmpty)
            let matched = try await api.get("/api/v1/search?q=ORANGE", as: user)
            #expect(Self.ids(matched).first == ids["orange"])
            #expect(((matched.json["items"] as? [[String: Any]])?.first?["matched"] as? [String])?.contains("orange") == true)

            // Near-duplicates: the two coffees, nothing else at the default threshold.
            let duplicates = try await api.get("/api/v1/images/duplicates", as: user)
            #expect(duplicates.status == .ok, "\(String(buffer: duplicates.body))")
            let groups = try #require(duplicates.json["groups"] as? [[String: Any]])
            #expect(groups.count == 1)
            let members = (groups.first?["images"] as? [[String: Any]])?.compactMap { $0["image_id"] as? String }
            #expect(Set(members ?? []) == [ids["coffee"]!, ids["coffee-copy"]!])

            // Errors, and other users.
            for bad in ["/api/v1/search", "/api/v1/search?q=", "/api/v1/search?q=dog&nope=1"] {
                #expect(try await api.get(bad, as: user).status == .badRequest, "\(bad)")
            }
            for bad in ["limit=0", "limit=101", "threshold=2", "other=1"] {
                let answer = try await api.get("/api/v1/images/\(ids["coffee"]!)/similar?\(bad)", as: user)
                #expect(answer.status == .badRequest, "\(bad)")
            }
            #expect(try await api.get("/api/v1/images/duplicates?threshold=0.1", as: user).status == .badRequest)
            #expect(try await api.get("/api/v1/search?q=dog", as: nil).status == .unauthorized)
            let other = try await api.signUp()
            #expect(try await api.get("/api/v1/images/\(ids["coffee"]!)/similar", as: other).status == .notFound)
            #expect(Self.ids(try await api.get("/api/v1/search?q=dog", as: other)).isEmpty)
            let theirs = try await api.get("/api/v1/images/duplicates", as: other)
            #expect((theirs.json["groups"] as? [[String: Any]])?.isEmpty == true)
            let theirSearch = try await api.multipart("/api/v1/search/similar", query, as: other)
            #expect(theirSearch.status == .ok && Self.ids(theirSearch).isEmpty)

            // A deleted image leaves the index and the tags.
            #expect(
                try await api.request(.delete, "/api/v1/images/\(ids["coffee-copy"]!)", headers: user.bearer).status == .noContent
            )
            let after = try await api.get("/api/v1/images/\(ids["coffee"]!)/similar", as: user)
            #expect(!Self.ids(after).contains(ids["coffee-copy"]!) && Self.ids(after).count == 4)
            #expect(Self.ids(try await api.get("/api/v1/search?q=espresso", as: user)) == [ids["coffee"]!])
            #expect(try await dependencies.similarity.count(of: UUID(uuidString: user.id)!, on: dependencies.database.db) == 5)
        }
    }
}
