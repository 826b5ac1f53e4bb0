import ArgusServer
import ArgusTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension APIClient {
    /// A new API key of `user` with `scopes`.
    func apiKey(for user: User, scopes: [String] = ["read", "write"]) async throws -> String {
        let created = try await request(
            .post, "/api/v1/api-keys", json: ["name": "compat", "scopes": scopes], headers: user.bearer)
        try #require(created.status == .created, "\(String(buffer: created.body))")
        return try #require(created.json["key"] as? String)
    }

    /// A DeepStack request: multipart `image` and form fields, with `headers`.
    func deepStack(
        _ path: String, image: [UInt8]?, fields: [(String, String)] = [], headers: HTTPFields = [:]
    ) async throws -> Response {
        var body = MultipartBody()
        if let image { body.addFile(name: "image", filename: "frame.jpg", contentType: "image/jpeg", bytes: image) }
        for (name, value) in fields { body.addField(name: name, value: value) }
        var fields = headers
        fields[.contentType] = body.contentType
        let response = try await client.execute(uri: path, method: .post, headers: fields, body: body.finished())
        return Response(status: response.status, headers: response.headers, body: response.body)
    }
}

/// The DeepStack / CodeProject.AI API under `/v1`: answers equal to the native API's,
/// `min_confidence` as clients send it, credentials as DeepStack clients send them, and
/// every failure in DeepStack's shape.
@Suite struct DeepStackAPITests {
    static let dog = { try! TestEnvironment.sampleBytes("darknet_dog.jpg") }()

    @Test func detectionEqualsTheNativeDetectionAndIsRecorded() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let key = try await api.apiKey(for: user)
            let answer = try await api.deepStack(
                "/v1/vision/detection", image: Self.dog, fields: [("api_key", key), ("min_confidence", "0.45")])
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            #expect(answer.json["success"] as? Bool == true)
            #expect(answer.json["code"] as? Int == 200)
            let predictions = try #require(answer.json["predictions"] as? [[String: Any]])
            #expect(answer.json["count"] as? Int == predictions.count)
            #expect(answer.json["inferenceMs"] is Int && answer.json["processMs"] is Int)

            let native = try await api.multipart("/api/v1/detect?conf=0.45", .file(Self.dog), as: user)
            let detections = try #require(native.json["detections"] as? [[String: Any]])
            #expect(!detections.isEmpty && predictions.count == detections.count)
            for (prediction, detection) in zip(predictions, detections) {
                #expect(prediction["label"] as? String == detection["label"] as? String)
                let confidence = try #require(prediction["confidence"] as? Double)
                #expect(abs(confidence - (detection["confidence"] as? Double ?? -1)) < 1e-6)
                let box = try #require(detection["bbox"] as? [String: Double])
                for (name, corner) in [("x_min", "x1"), ("y_min", "y1"), ("x_max", "x2"), ("y_max", "y2")] {
                    let pixel = try #require(prediction[name] as? Int, "\(name) is a whole number")
                    #expect(abs(Double(pixel) - box[corner]!) <= 0.5 + 1e-6, "\(name) \(pixel) vs \(box[corner]!)")
                }
            }
            // In the caller's history beside the native run.
            let history = try await api.get("/api/v1/detect/history", as: user)
            #expect((history.json["items"] as? [Any])?.count == 2)
        }
    }

    @Test func minConfidenceTakesWhatClientsSend() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let key = try await api.apiKey(for: try await api.signUp())
            func count(_ value: String) async throws -> Int? {
                let answer = try await api.deepStack(
                    "/v1/vision/detection", image: Self.dog, fields: [("min_confidence", value)], headers: [.apiKey: key])
                #expect(answer.status == .ok, "min_confidence=\(value): \(String(buffer: answer.body))")
                return answer.json["count"] as? Int
            }
            let everything = try #require(try await count("0"))
            let usual = try #require(try await count("0.45"))
            #expect(everything > usual && usual > 0)
            #expect(try await count(" 0.45 ") == usual)
            #expect(try await count("45") == usual, "a percentage above 1")
            #expect(try await count("") == usual, "empty means DeepStack's default, 0.45")
            #expect(try await count("1") == 0)
            for bad in ["abc", "-0.1", "101", "nan"] {
                let answer = try await api.deepStack(
                    "/v1/vision/detection", image: Self.dog, fields: [("min_confidence", bad)], headers: [.apiKey: key])
                #expect(answer.status == .badRequest, "min_confidence=\(bad)")
                #expect(answer.json["success"] as? Bool == false)
                #expect((answer.json["error"] as? String)?.contains("min_confidence") == true)
            }
        }
    }

    @Test func failuresAnswerInDeepStacksShape() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let key = try await api.apiKey(for: try await api.signUp())
            let readOnly = try await api.apiKey(for: try await api.signUp(), scopes: ["read"])
            let cases: [(String, HTTPResponse.Status, APIClient.Response)] = [
                ("no image", .badRequest, try await api.deepStack("/v1/vision/detection", image: nil, headers: [.apiKey: key])),
                (
                    "not an image", .unsupportedMediaType,
                    try await api.deepStack("/v1/vision/detection", image: Array("hello".utf8), headers: [.apiKey: key])
                ),
                ("no credential", .unauthorized, try await api.deepStack("/v1/vision/detection", image: Self.dog)),
                (
                    "a wrong api_key", .unauthorized,
                    try await api.deepStack("/v1/vision/detection", image: Self.dog, fields: [("api_key", "argus_nope_x")])
                ),
                (
                    "a read-only key", .forbidden,
                    try await api.deepStack("/v1/vision/detection", image: Self.dog, fields: [("api_key", readOnly)])
                ),
                (
                    "an unknown custom model", .notFound,
                    try await api.deepStack("/v1/vision/custom/no-such-model", image: Self.dog, headers: [.apiKey: key])
                ),
                (
                    "face detection without an image", .badRequest,
                    try await api.deepStack("/v1/vision/face", image: nil, headers: [.apiKey: key])
                ),
                (
                    "face registration", .notFound,
                    try await api.deepStack("/v1/vision/face/register", image: Self.dog, headers: [.apiKey: key])
                ),
                (
                    "background removal", .notFound,
                    try await api.deepStack("/v1/image/removebackground", image: Self.dog, headers: [.apiKey: key])
                ),
                (
                    "an unknown route", .notFound,
                    try await api.deepStack("/v1/vision/scene", image: Self.dog, headers: [.apiKey: key])
                ),
            ]
            for (what, status, answer) in cases {
                #expect(answer.status == status, "\(what): \(String(buffer: answer.body))")
                #expect(answer.json["success"] as? Bool == false, "\(what)")
                #expect(answer.json["code"] as? Int == Int(status.code), "\(what)")
                #expect((answer.json["error"] as? String).map { !$0.isEmpty } == true, "\(what)")
            }
            let wrongKey = cases[3].2
            #expect(cases[3].0 == "a wrong api_key")
            #expect(wrongKey.json["error"] as? String == "incorrect api key")
        }
    }

    @Test func customModelsAndTheirList() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let key = try await api.apiKey(for: user)
            let list = try await api.request(.post, "/v1/vision/custom/list", headers: [.apiKey: key])
            #expect(list.status == .ok)
            let models = try #require(list.json["models"] as? [String])
            #expect(models.contains("yolox-nano") && models.contains("yolov3-tiny"))
            let custom = try await api.deepStack("/v1/vision/custom/yolox-nano", image: Self.dog, headers: [.apiKey: key])
            #expect(custom.status == .ok, "\(String(buffer: custom.body))")
            let native = try await api.multipart("/api/v1/detect?model=yolox-nano&conf=0.45", .file(Self.dog), as: user)
            let labels = { (items: Any?) in (items as? [[String: Any]] ?? []).compactMap { $0["label"] as? String } }
            #expect(!labels(custom.json["predictions"]).isEmpty)
            #expect(labels(custom.json["predictions"]) == labels(native.json["detections"]))
        }
    }

    @Test func anonymousCallsOnlyWhenTheOperatorAllowsThem() async throws {
        let open = try await TestServer.configuration { $0.compatAnonymous = true }
        try await TestServer.run(open) { client, _ in
            let api = APIClient(client: client)
            // Frigate sends an empty api_key when none is configured.
            let answer = try await api.deepStack("/v1/vision/detection", image: Self.dog, fields: [("api_key", "")])
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            #expect((answer.json["count"] as? Int ?? 0) > 0)
            // A signed-in caller is still recorded; the anonymous one was not.
            let user = try await api.signUp()
            _ = try await api.deepStack("/v1/vision/detection", image: Self.dog, headers: user.bearer)
            let history = try await api.get("/api/v1/detect/history", as: user)
            #expect((history.json["items"] as? [Any])?.count == 1)
        }
    }
}
