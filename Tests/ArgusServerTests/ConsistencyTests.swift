import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// What a newcomer following the docs trips over: one id case, one number format, one
/// JSON style, signed links for every rendering, and every refusal in the one error shape.
@Suite struct ConsistencyTests {
    @Test func idsAreLowerCaseEverywhereAndAcceptedInEitherCase() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            #expect(user.id == user.id.lowercased())
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            let created = try await api.upload(dog, filename: "dog.jpg", query: "tasks=detect", as: user)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(id == id.lowercased())
            let text = String(buffer: created.body)
            #expect(!text.contains(id.uppercased()), "an upper-case id in \(text.prefix(200))")
            #expect(text.contains("\"image/jpeg\""), "slashes are not escaped")
            #expect(!text.contains("\\/"))
            let objects = try #require(
                (created.json["results"] as? [String: [String: Any]])?["detect"]?["objects"] as? [[String: Any]])
            for object in objects {
                let objectId = try #require(object["object_id"] as? String)
                #expect(objectId == objectId.lowercased())
            }
            // Upper case works as well as lower case.
            #expect(try await api.get("/api/v1/images/\(id.uppercased())", as: user).status == .ok)
            let key = try await api.request(.post, "/api/v1/api-keys", json: ["name": "ci"], headers: user.bearer)
            let keyId = try #require(key.json["id"] as? String)
            #expect(keyId == keyId.lowercased())
            let history = try await api.get("/api/v1/detect/history", as: user)
            let run = try #require((history.json["items"] as? [[String: Any]])?.first)
            #expect((run["id"] as? String).map { $0 == $0.lowercased() } == true)
            #expect(run["image_id"] as? String == id)
            let export = try await api.get("/api/v1/exports/detections?format=jsonl", as: user)
            #expect(export.status == .ok && export.header("Content-Type")?.hasPrefix("application/jsonl") == true)
            let lines = String(buffer: export.body).split(separator: "\n")
            #expect(lines.count == objects.count)
            for line in lines {
                let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(row["image_id"] as? String == id)
            }
        }
    }

    @Test func theSameBoxPrintsTheSameNumbersOnEveryRoute() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            let detected = try await api.multipart("/api/v1/detect?conf=0.3", .file(dog), as: user)
            let boxes = try #require(detected.json["detections"] as? [[String: Any]]).compactMap { detection -> [Double]? in
                guard let box = detection["bbox"] as? [String: Double] else { return nil }
                return [box["x1"], box["y1"], box["x2"], box["y2"]].compactMap { $0 }
            }
            let stored = try await api.upload(dog, query: "tasks=detect&conf=0.3", as: user)
            let objects = try #require(
                (stored.json["results"] as? [String: [String: Any]])?["detect"]?["objects"] as? [[String: Any]])
            let storedBoxes = objects.compactMap { $0["bbox"] as? [Double] }
            #expect(!boxes.isEmpty)
            #expect(Set(boxes) == Set(storedBoxes), "detect \(boxes) vs images \(storedBoxes)")
            // Printed as the floats they are: no long tails of a widened double.
            let text = String(buffer: stored.body)
            #expect(text.range(of: #"\.\d{9,}"#, options: .regularExpression) == nil, "\(text.prefix(400))")
            let imageId = try #require(stored.json["id"] as? String)
            let objectId = try #require(objects.first?["object_id"] as? String)
            let detail = try await api.get("/api/v1/images/\(imageId)/objects/\(objectId)", as: user)
            #expect(
                String(buffer: detail.body).range(of: #"\.\d{9,}"#, options: .regularExpression) == nil,
                "\(String(buffer: detail.body))")
            let csv = try await api.get("/api/v1/exports/detections?format=csv", as: user)
            #expect(String(buffer: csv.body).range(of: #"\.\d{9,}"#, options: .regularExpression) == nil)
        }
    }

    @Test func renderingsAreReachableBySignedLinksWithoutCredentials() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let created = try await api.upload(
                try TestEnvironment.sampleBytes("darknet_dog.jpg"), query: "tasks=detect", as: user)
            for field in ["file_url", "annotated_url", "thumbnail_url"] {
                let link = try #require(created.json[field] as? String, "\(field)")
                #expect(link.hasPrefix("/files/"))
                let answer = try await api.get(link, as: nil)
                #expect(answer.status == .ok, "\(field): \(String(buffer: answer.body).prefix(200))")
                #expect(answer.header("Content-Type")?.hasPrefix("image/") == true)
                let image = try Image.decode(answer.bytes)
                if field == "thumbnail_url" { #expect(max(image.width, image.height) == 256) }
                // An altered token opens nothing.
                let forged = link.dropLast(2) + (link.hasSuffix("AA") ? "BB" : "AA")
                #expect(try await api.get(String(forged), as: nil).status == .notFound)
            }
        }
    }

    @Test func refusalsNameWhatIsWrong() async throws {
        try await TestServer.run { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            // A form field the route does not know is named as a form field.
            var body = MultipartBody()
            body.addFile(name: "file", filename: "dog.jpg", bytes: try TestEnvironment.sampleBytes("darknet_dog.jpg"))
            body.addField(name: "colour", value: "red")
            let unknown = try await api.multipart("/api/v1/images", body, as: user)
            #expect(unknown.status == .badRequest)
            #expect((unknown.json["error"] as? [String: Any])?["message"] as? String == "unknown form field 'colour'")
            let query = try await api.multipart(
                "/api/v1/detect?colour=red", .file(try TestEnvironment.sampleBytes("darknet_dog.jpg")), as: user)
            #expect((query.json["error"] as? [String: Any])?["message"] as? String == "unknown query parameter 'colour'")
            // An empty X-API-Key beside a valid token: the key is bad, whatever the token.
            var headers = user.bearer
            headers[.apiKey] = ""
            let empty = try await api.request(.get, "/api/v1/users/me", headers: headers)
            #expect(empty.status == .unauthorized && empty.errorCode == "invalid_credentials")
            #expect(((empty.json["error"] as? [String: Any])?["message"] as? String)?.contains("X-API-Key") == true)
            // null is not a string or an integer.
            let admin = try await api.admin(dependencies)
            for (method, path, json, who) in [
                (HTTPRequest.Method.patch, "/api/v1/users/me", ["email": NSNull()] as [String: Any], user),
                (.post, "/api/v1/api-keys", ["name": "k", "expires_in_days": NSNull()], user),
                (.patch, "/api/v1/admin/users/\(user.id)", ["role": NSNull()], admin),
            ] {
                let answer = try await api.request(method, path, json: json, headers: who.bearer)
                #expect(
                    answer.status == .badRequest && answer.errorCode == "invalid_json", "\(path): \(String(buffer: answer.body))")
            }
            // A misspelt field is named, not silently ignored.
            let misspelt = try await api.request(.patch, "/api/v1/users/me", json: ["nmae": "x"], headers: user.bearer)
            #expect(misspelt.status == .badRequest && misspelt.errorCode == "invalid_json")
            #expect((misspelt.json["error"] as? [String: Any])?["message"] as? String == "unknown field 'nmae'")
            // Offsets have their documented cap.
            let deep = try await api.get("/api/v1/admin/users?offset=1000001", as: admin)
            #expect(deep.status == .badRequest && deep.errorCode == "invalid_parameter")
            let emptyCursor = try await api.get("/api/v1/images?cursor=", as: user)
            #expect(emptyCursor.status == .badRequest)
        }
    }

    /// What the HTTP layer refuses before a route runs, and a client hanging up in the
    /// middle of its upload (not a 500).
    @Test func refusalsBelowTheRouterAreInTheOneErrorShape() async throws {
        try await TestServer.run(transport: .live) { client, _ in
            let port = try #require(client.port)
            let huge =
                "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: \(String(repeating: "a", count: 1 << 20))\r\n\r\n"
            let answer = try await RawHTTP.exchange(port: port, request: huge, timeoutSeconds: 10)
            #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer.prefix(120))")
            let lower = answer.lowercased()
            #expect(lower.contains("x-request-id: "))
            #expect(lower.contains("x-content-type-options: nosniff"))
            #expect(lower.contains("content-type: application/json"))
            #expect(answer.contains(#""code":"headers_too_large""#), "\(answer)")

            let api = APIClient(client: client)
            let user = try await api.signUp()
            let head =
                "POST /api/v1/images HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(user.accessToken)\r\n"
                + "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 200000\r\n\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n"
                + String(repeating: "x", count: 1000)
            _ = try await RawHTTP.exchange(port: port, request: head, timeoutSeconds: 5, hangUp: true)
            var metrics = ""
            for _ in 0..<50 {
                try await Task.sleep(for: .milliseconds(100))
                metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                if metrics.contains(#"route="/api/v1/images""#) && metrics.contains(#"method="POST""#) { break }
            }
            let upload = metrics.split(separator: "\n").filter {
                $0.hasPrefix("argus_http_requests_total") && $0.contains(#"route="/api/v1/images""#)
            }
            #expect(!upload.isEmpty, "\(metrics)")
            #expect(upload.allSatisfy { !$0.contains(#"status="500""#) }, "\(upload)")
        }
    }
}
