import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `/api/v1/images` end to end over live HTTP, on SQLite or PostgreSQL.
@Suite struct ImagesTests {
    @Test func uploadRunsTasksAndEveryImageRouteAnswers() async throws {
        let configuration = try await TestServer.configuration()
        try await TestServer.run(configuration) { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            let created = try await api.upload(
                dog, filename: "dog.jpg", query: "tasks=detect,circles&conf=0.3&min_radius=200", as: user)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["filename"] as? String == "dog.jpg")
            #expect(created.json["width"] as? Int == 768 && created.json["height"] as? Int == 576)
            #expect(created.json["duplicate"] as? Bool == false)
            let results = try #require(created.json["results"] as? [String: [String: Any]])
            let detected = try #require(results["detect"]?["objects"] as? [[String: Any]])
            #expect(detected.contains { $0["label"] as? String == "dog" && $0["kind"] as? String == "box" })
            #expect(results["circles"] != nil)

            let shown = try await api.get("/api/v1/images/\(id)", as: user)
            #expect(shown.status == .ok)
            let objects = try await api.get("/api/v1/images/\(id)/objects", as: user)
            let list = objects.jsonArray
            #expect(list.count == detected.count + ((results["circles"]?["objects"] as? [Any])?.count ?? 0))
            let dogObject = try #require(list.first { $0["label"] as? String == "dog" })
            #expect(Set(dogObject.keys) == ["object_id", "kind", "label", "confidence", "bbox"])
            let objectId = try #require(dogObject["object_id"] as? String)
            let detail = try await api.get("/api/v1/images/\(id)/objects/\(objectId)", as: user)
            let bbox = try #require(detail.json["bbox"] as? [Double])
            let centroid = try #require(detail.json["centroid"] as? [Double])
            let radius = try #require(detail.json["radius"] as? Double)
            #expect(abs(centroid[0] - (bbox[0] + bbox[2]) / 2) < 1e-6 && abs(centroid[1] - (bbox[1] + bbox[3]) / 2) < 1e-6)
            let expected = (pow((bbox[2] - bbox[0]) / 2, 2) + pow((bbox[3] - bbox[1]) / 2, 2)).squareRoot()
            #expect(abs(radius - expected) < 1e-6)
            #expect(try await api.get("/api/v1/images/\(id)/objects/\(UUID().uuidString)", as: user).status == .notFound)

            let file = try await api.get("/api/v1/images/\(id)/file", as: user)
            #expect(file.status == .ok && file.header("Content-Type") == "image/jpeg")
            #expect(try Image.decode(file.bytes).width == 768)
            let annotated = try await api.get("/api/v1/images/\(id)/annotated", as: user)
            #expect(annotated.status == .ok && annotated.header("Content-Type") == "image/jpeg")
            #expect(try Image.decode(annotated.bytes).width == 768)
            #expect(annotated.bytes != file.bytes)
            let again = try await api.get("/api/v1/images/\(id)/annotated", as: user)
            #expect(again.bytes == annotated.bytes)
            let thumbnail = try await api.get("/api/v1/images/\(id)/thumbnail?size=128", as: user)
            let small = try Image.decode(thumbnail.bytes)
            #expect(max(small.width, small.height) == 128)
            #expect(try await api.get("/api/v1/images/\(id)/thumbnail?size=5000", as: user).status == .badRequest)

            // The signed link works without credentials; an altered one does not.
            let link = try #require(created.json["file_url"] as? String)
            let signed = try await api.get(link, as: nil)
            #expect(signed.status == .ok && signed.bytes == file.bytes)
            #expect(try await api.get(link + "x", as: nil).status == .notFound)
            #expect(try await api.get("/files/nonsense.token", as: nil).status == .notFound)

            // Same bytes again: stored once, the first record answers.
            let duplicate = try await api.upload(dog, filename: "again.jpg", as: user)
            #expect(
                duplicate.status == .ok && duplicate.json["duplicate"] as? Bool == true && duplicate.json["id"] as? String == id)
            #expect(TestPictures.storedFiles(configuration.storagePath).count == 1)

            #expect(try await api.request(.delete, "/api/v1/images/\(id)", headers: user.bearer).status == .noContent)
            #expect(try await api.get("/api/v1/images/\(id)", as: user).status == .notFound)
            #expect(try await api.get("/api/v1/images/\(id)/objects/\(objectId)", as: user).status == .notFound)
            #expect(TestPictures.storedFiles(configuration.storagePath).isEmpty)
            #expect(try await api.get(link, as: nil).status == .notFound)
        }
    }

    @Test func anotherUsersImagesObjectsFilesAndExportsAreInvisible() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let alice = try await api.signUp()
            let bob = try await api.signUp()
            let created = try await api.upload(try TestEnvironment.sampleBytes("darknet_dog.jpg"), as: alice)
            let id = try #require(created.json["id"] as? String)
            let objectId = try #require(
                ((created.json["results"] as? [String: [String: Any]])?["detect"]?["objects"] as? [[String: Any]])?.first?[
                    "object_id"] as? String)
            for path in ["", "/file", "/annotated", "/thumbnail", "/objects", "/objects/\(objectId)"] {
                let response = try await api.get("/api/v1/images/\(id)\(path)", as: bob)
                #expect(response.status == .notFound && response.errorCode == "not_found", "\(path)")
            }
            #expect(try await api.request(.delete, "/api/v1/images/\(id)", headers: bob.bearer).status == .notFound)
            #expect((try await api.get("/api/v1/images", as: bob).json["items"] as? [Any])?.isEmpty == true)
            #expect((try await api.get("/api/v1/detect/history", as: bob).json["items"] as? [Any])?.isEmpty == true)
            #expect((try await api.get("/api/v1/stats", as: bob).json["runs"] as? Int) == 0)
            let export = try await api.get("/api/v1/exports/detections?format=json", as: bob)
            #expect(export.status == .ok && export.jsonArray.isEmpty)
            // Alice still has everything.
            #expect(try await api.get("/api/v1/images/\(id)", as: alice).status == .ok)
            #expect(try await api.get("/api/v1/images", as: nil).status == .unauthorized)
        }
    }

    @Test func badUploadsAreRefusedAndNothingIsStored() async throws {
        let configuration = try await TestServer.configuration { $0.maxUploadBytes = 2 * 1024 * 1024 }
        try await TestServer.run(configuration) { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            let png = try TestPictures.png(CircleScene.make(width: 64, height: 48))
            func send(_ body: MultipartBody) async throws -> APIClient.Response {
                try await api.multipart("/api/v1/images", body, as: user)
            }
            var twoFiles = MultipartBody.file(dog, name: "file")
            twoFiles.addFile(name: "file", filename: "b.jpg", bytes: dog)
            var noFile = MultipartBody()
            noFile.addField(name: "tasks", value: "detect")
            let cases: [(String, MultipartBody, HTTPResponse.Status, String)] = [
                ("no file field", noFile, .badRequest, "missing_file"),
                ("two files", twoFiles, .badRequest, "too_many_files"),
                ("zero bytes", .file([], name: "file"), .badRequest, "empty_file"),
                ("one byte", .file([0xFF], name: "file"), .unsupportedMediaType, "unsupported_media_type"),
                ("truncated JPEG", .file(Array(dog.prefix(dog.count / 2)), name: "file"), .unprocessableContent, "invalid_image"),
                ("truncated PNG", .file(Array(png.prefix(png.count / 2)), name: "file"), .unprocessableContent, "invalid_image"),
                (
                    "huge PNG header", .file(SyntheticImages.pngHeader(width: 100_000, height: 100_000), name: "file"),
                    .unprocessableContent, "image_too_large"
                ),
                (
                    "tiny PNG", .file(try TestPictures.png(CircleScene.make(width: 16, height: 16)), name: "file"),
                    .unprocessableContent, "image_too_small"
                ),
                (
                    "GIF", .file(Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0, 0x3B], name: "file"), .unsupportedMediaType,
                    "unsupported_media_type"
                ),
                (
                    "SVG", .file(Array("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".utf8), name: "file"),
                    .unsupportedMediaType, "unsupported_media_type"
                ),
                (
                    "HTML named .jpg",
                    .file(Array("<!DOCTYPE html><html><body>hi</body></html>".utf8), name: "file", filename: "cat.jpg"),
                    .unsupportedMediaType, "unsupported_media_type"
                ),
                ("path in filename", .file(dog, name: "file", filename: "../../etc/passwd.jpg"), .badRequest, "invalid_filename"),
                ("NUL in filename", .file(dog, name: "file", filename: "a\u{0}b.jpg"), .badRequest, ""),
            ]
            for (name, body, status, code) in cases {
                let response = try await send(body)
                #expect(response.status == status, "\(name): \(String(buffer: response.body))")
                if !code.isEmpty { #expect(response.errorCode == code, "\(name)") }
            }
            let gif = try await send(.file(Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0, 0x3B], name: "file"))
            let gifMessage = ((gif.json["error"] as? [String: Any])?["message"] as? String ?? "").lowercased()
            #expect(gifMessage.contains("gif"))
            // An empty body, and a 50 MB one (refused from its length, before it is read).
            var emptyHeaders = user.bearer
            emptyHeaders[.contentType] = MultipartBody().contentType
            let empty = try await client.execute(uri: "/api/v1/images", method: .post, headers: emptyHeaders, body: ByteBuffer())
            #expect(empty.status == .badRequest)
            let big = try await send(.file([UInt8](repeating: 0xAB, count: 50 * 1024 * 1024), name: "file"))
            #expect(big.status == .contentTooLarge && big.errorCode == "payload_too_large")

            #expect(TestPictures.storedFiles(configuration.storagePath).isEmpty)
            #expect((try await api.get("/api/v1/images", as: user).json["items"] as? [Any])?.isEmpty == true)
            // Still serving.
            #expect(try await api.upload(dog, as: user).status == .created)
        }
    }

    @Test func gpsAndOtherMetadataNeverComeBackButOrientationDoes() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let plain = try TestPictures.jpeg(seed: 99, width: 120, height: 80)
            let secret = Array("GPS 51.5007N 0.1246W ARGUS-SECRET".utf8)
            let tagged = SyntheticImages.withEXIFOrientation(plain, orientation: 6, trailing: secret)
            let created = try await api.upload(tagged, query: "tasks=none", as: user)
            #expect(created.status == .created)
            // Orientation 6 turns 120×80 into an upright 80×120.
            #expect(created.json["width"] as? Int == 80 && created.json["height"] as? Int == 120)
            let id = try #require(created.json["id"] as? String)
            let file = try await api.get("/api/v1/images/\(id)/file", as: user)
            #expect(!String(decoding: file.bytes, as: UTF8.self).contains("ARGUS-SECRET"))
            let decoded = try Image.decode(file.bytes)
            #expect(decoded.width == 80 && decoded.height == 120)
            let link = try #require(created.json["file_url"] as? String)
            #expect(!String(decoding: try await api.get(link, as: nil).bytes, as: UTF8.self).contains("ARGUS-SECRET"))
        }
    }

    @Test func listFiltersAndCursorPagination() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            var plainIds: [String] = []
            for seed in 1...3 {
                let response = try await api.upload(try TestPictures.jpeg(seed: UInt64(seed)), query: "tasks=none", as: user)
                plainIds.append(try #require(response.json["id"] as? String))
            }
            let dog = try await api.upload(try TestEnvironment.sampleBytes("darknet_dog.jpg"), as: user)
            let dogId = try #require(dog.json["id"] as? String)

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await api.get("/api/v1/images?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), as: user)
                #expect(page.status == .ok)
                let items = try #require(page.json["items"] as? [[String: Any]])
                #expect(items.count <= 2)
                seen += items.compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == [dogId] + plainIds.reversed(), "newest first, each once")

            func ids(_ query: String) async throws -> [String] {
                let page = try await api.get("/api/v1/images?" + query, as: user)
                #expect(page.status == .ok, "\(query)")
                return (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(try await ids("label=dog") == [dogId])
            #expect(try await ids("label=dog&min_confidence=0.99").isEmpty)
            #expect(try await ids("has_objects=true") == [dogId])
            #expect(Set(try await ids("has_objects=false")) == Set(plainIds))
            #expect(try await ids("since=2999-01-01").isEmpty)
            #expect(try await ids("until=2000-01-01T00:00:00Z").isEmpty)
            #expect(try await ids("since=2000-01-01").count == 4)
            for bad in [
                "limit=0", "limit=101", "cursor=abc", "min_confidence=2", "since=yesterday", "has_objects=maybe", "colour=red",
                "has_objects=false&label=dog",
            ] {
                #expect(try await api.get("/api/v1/images?" + bad, as: user).status == .badRequest, "\(bad)")
            }
        }
    }

    @Test func circlesAreFoundWithinTwoPixelsOverHTTP() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let scene = CircleScene.make()
            let response = try await api.multipart(
                "/api/v1/circles?min_radius=20&max_radius=90", .file(try TestPictures.png(scene), filename: "discs.png"), as: user
            )
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            #expect(response.json["detector"] as? String == "hough")
            let circles = response.circles
            #expect(scene.isRecovered(by: circles), "\(circles)")
            #expect(
                try await api.multipart("/api/v1/circles?min_radius=0", .file(try TestPictures.png(scene)), as: user).status
                    == .badRequest)
            #expect(
                try await api.multipart("/api/v1/circles", .file(try TestPictures.png(scene)), as: nil).status == .unauthorized)
        }
    }

    @Test func historyStatsAndExports() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            let uploaded = try await api.upload(dog, query: "tasks=detect", as: user)
            let uploadedObjects =
                ((uploaded.json["results"] as? [String: [String: Any]])?["detect"]?["objects"] as? [Any])?.count ?? -1
            let detect = try await api.multipart("/api/v1/detect", .file(dog), as: user)
            #expect(detect.status == .ok)
            _ = try await api.multipart(
                "/api/v1/circles?min_radius=20&max_radius=90", .file(try TestPictures.png(CircleScene.make())), as: user)

            let history = try await api.get("/api/v1/detect/history?limit=2", as: user)
            let items = try #require(history.json["items"] as? [[String: Any]])
            #expect(items.map { $0["task"] as? String } == ["circles", "detect"])
            #expect(
                items[1]["image_id"] == nil
                    && (items[1]["objects"] as? [[String: Any]])?.contains { $0["label"] as? String == "dog" } == true)
            let next = try #require(history.json["next_cursor"] as? String)
            let rest = try await api.get("/api/v1/detect/history?cursor=\(next)", as: user)
            let older = try #require(rest.json["items"] as? [[String: Any]])
            #expect(
                older.count == 1 && older.first?["image_id"] is String && rest.json["next_cursor"] == nil,
                "\(String(buffer: rest.body)) after \(next)")
            #expect((try await api.get("/api/v1/detect/history?task=circles", as: user).json["items"] as? [Any])?.count == 1)

            let stats = try await api.get("/api/v1/stats", as: user)
            #expect(stats.json["runs"] as? Int == 3 && stats.json["images"] as? Int == 1)
            let labels = try #require(stats.json["objects_per_label"] as? [String: Int])
            #expect(labels["dog"] == 2 && labels["circle"] == 5)
            let latency = try #require(stats.json["inference_ms"] as? [String: [String: Any]])
            #expect((latency["yolov3-tiny"]?["count"] as? Int) == 2 && (latency["yolov3-tiny"]?["p50"] as? Double ?? 0) > 0)
            #expect((stats.json["runs_per_model"] as? [String: Int])?["hough"] == 1)

            let json = try await api.get("/api/v1/exports/detections?format=json", as: user)
            let total = labels.values.reduce(0, +)
            #expect(json.status == .ok && json.jsonArray.count == total)
            let csv = try await api.get("/api/v1/exports/detections?format=csv", as: user)
            let lines = String(buffer: csv.body).split(separator: "\n")
            #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true && lines.count == total + 1)
            #expect(lines[0].hasPrefix("object_id,run_id,image_id,task,model,kind,label"))
            let coco = try await api.get("/api/v1/exports/detections?format=coco", as: user)
            let images = try #require(coco.json["images"] as? [[String: Any]])
            let annotations = try #require(coco.json["annotations"] as? [[String: Any]])
            let categories = try #require(coco.json["categories"] as? [[String: Any]])
            #expect(images.count == 1 && images[0]["width"] as? Int == 768)
            // Only objects of stored images can be COCO annotations.
            #expect(annotations.count == uploadedObjects && uploadedObjects > 0)
            #expect(annotations.allSatisfy { ($0["bbox"] as? [Double])?.count == 4 && $0["image_id"] as? Int == 1 })
            #expect(categories.contains { $0["name"] as? String == "dog" && $0["id"] as? Int == 18 })
            #expect(try await api.get("/api/v1/exports/detections?format=xml", as: user).status == .badRequest)
        }
    }
}
