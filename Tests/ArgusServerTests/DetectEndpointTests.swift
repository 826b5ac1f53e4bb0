import ArgusServer
import ArgusTestSupport
import ArgusVision
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /api/v1/detect` over real HTTP (HummingbirdTesting's live mode), with the real model.
@Suite struct DetectEndpointTests {
    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let code: String
            let message: String
            let request_id: String
        }
        let error: Detail
    }

    struct DetectBody: Decodable {
        struct Size: Decodable {
            let width: Int
            let height: Int
        }
        struct Entry: Decodable {
            let label: String
            let class_id: Int
            let confidence: Float
            let bbox: [String: Float]
        }
        let model: String
        let image: Size
        let detections: [Entry]
        let timings_ms: [String: Double]
    }

    /// Anonymous detection allowed: these tests are about detection; `AuthTests` covers
    /// its authentication.
    static func configuration(maxUploadBytes: Int = 10 * 1024 * 1024) async throws -> ServerConfiguration {
        try await TestServer.configuration {
            $0.maxUploadBytes = maxUploadBytes
            $0.accounts.allowAnonymous = true
        }
    }

    /// Runs `body` against a live server; `pool` lets a test fill the inference slots.
    func withServer(
        configuration: ServerConfiguration? = nil, pool: InferencePool = InferencePool(concurrency: 1, queueLimit: 4),
        library: DetectorLibrary = TestEnvironment.detectors,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let configuration = try await {
            if let configuration { return configuration }; return try await Self.configuration()
        }()
        try await TestServer.run(configuration, pool: pool, library: library) { client, _ in try await body(client) }
    }

    func post(
        _ client: any TestClientProtocol, _ uri: String = "/api/v1/detect", body: MultipartBody,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = body.contentType
        return try await client.execute(uri: uri, method: .post, headers: fields, body: body.finished())
    }

    func expectError(
        _ response: TestResponse, status: HTTPResponse.Status, code: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(
            response.status == status, "got \(response.status) \(String(buffer: response.body))", sourceLocation: sourceLocation)
        let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
        #expect(error.error.code == code, "message: \(error.error.message)", sourceLocation: sourceLocation)
        #expect(!error.error.message.isEmpty, sourceLocation: sourceLocation)
        #expect(error.error.request_id == response.headers[HTTPField.Name("X-Request-ID")!], sourceLocation: sourceLocation)
    }

    @Test func detectsTheDogWithTimings() async throws {
        let bytes = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        try await withServer { client in
            let response = try await post(client, "/api/v1/detect?conf=0.3", body: .file(bytes))
            #expect(response.status == .ok)
            let result = try JSONDecoder().decode(DetectBody.self, from: Data(buffer: response.body))
            #expect(result.model == "yolov3-tiny")
            #expect(result.image.width == 768 && result.image.height == 576)
            let dog = try #require(result.detections.first { $0.label == "dog" })
            #expect(dog.class_id == 16 && dog.confidence > 0.8)
            #expect(Set(dog.bbox.keys) == ["x1", "y1", "x2", "y2"])
            #expect(result.detections.allSatisfy { $0.confidence >= 0.3 })
            for key in ["decode", "inference", "total"] { #expect((result.timings_ms[key] ?? -1) >= 0) }
        }
    }

    @Test func queryOptionsSelectModelClassesAndLimit() async throws {
        let bytes = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        try await withServer { client in
            let response = try await post(
                client, "/api/v1/detect?model=yolox-nano&classes=dog,car&max_det=1&iou=0.5", body: .file(bytes))
            #expect(response.status == .ok)
            let result = try JSONDecoder().decode(DetectBody.self, from: Data(buffer: response.body))
            #expect(result.model == "yolox-nano")
            #expect(result.detections.count == 1)
            #expect(["dog", "car"].contains(result.detections[0].label))
        }
    }

    @Test func readinessWaitsForTheDefaultModelAndHealthReportsEachCheck() async throws {
        let library = DetectorLibrary(
            store: TestEnvironment.models, runtime: TestEnvironment.runtime, sessionOptions: SessionOptions(intraOpThreads: 1))
        try await withServer(library: library) { client in
            let notYet = try await client.execute(uri: "/health/ready", method: .get)
            #expect(notYet.status == .serviceUnavailable)
            let degraded =
                try JSONSerialization.jsonObject(with: Data(buffer: try await client.execute(uri: "/health", method: .get).body))
                as? [String: Any]
            #expect(degraded?["status"] as? String == "degraded")

            _ = try library.detector(for: "yolov3-tiny")
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            let report = try #require(JSONSerialization.jsonObject(with: Data(buffer: health.body)) as? [String: Any])
            #expect(report["status"] as? String == "ok")
            let checks = try #require(report["checks"] as? [String: [String: Any]])
            #expect(Set(checks.keys) == ["models", "storage", "inference", "database", "circles", "jobs", "search"])
            let inference = checks["inference"]?["detail"] as? [String: String]
            #expect(inference?["execution_provider"] == "cpu")
            let search = checks["search"]?["detail"] as? [String: String]
            #expect(search?["index"] == "exact" && search?["embedding_model"] == "efficientnet-lite0")
            #expect(checks.values.allSatisfy { $0["status"] as? String == "ok" && ($0["ms"] as? Double ?? -1) >= 0 })
            #expect((checks["models"]?["detail"] as? [String: String])?["loaded"]?.contains("yolov3-tiny") == true)
        }
    }

    @Test func metricsCountRequestsByRouteAndInferenceByModel() async throws {
        let bytes = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        try await withServer { client in
            #expect(try await post(client, body: .file(bytes)).status == .ok)
            #expect(try await post(client, "/api/v1/detect?model=yolox-nano", body: .file(bytes)).status == .ok)
            _ = try await post(client, "/api/v1/detect?conf=9", body: .file(bytes))
            _ = try await client.execute(uri: "/no/such/route", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            #expect(text.contains(#"argus_http_requests_total{method="POST",route="/api/v1/detect",status="200"} 2"#))
            #expect(text.contains(#"argus_http_requests_total{method="POST",route="/api/v1/detect",status="400"} 1"#))
            #expect(text.contains(#"argus_http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
            #expect(
                text.contains(
                    #"argus_http_request_duration_seconds_bucket{method="POST",route="/api/v1/detect",status="200",le="+Inf"} 2"#)
            )
            #expect(text.contains(#"argus_inference_duration_seconds_count{model="yolov3-tiny"} 1"#))
            #expect(text.contains(#"argus_inference_duration_seconds_count{model="yolox-nano"} 1"#))
            #expect(!text.contains("/no/such/route"))
            let memory = text.split(separator: "\n").first { $0.hasPrefix("argus_process_resident_memory_bytes ") }
            #expect((memory?.split(separator: " ").last.flatMap { Double($0) } ?? 0) > 1_000_000)
        }
    }

    @Test func requestIdsAreEchoedOrMade() async throws {
        try await withServer { client in
            let own = try await client.execute(
                uri: "/health/live", method: .get, headers: [HTTPField.Name("X-Request-ID")!: "trace-123"])
            #expect(own.status == .ok)
            #expect(own.headers[HTTPField.Name("X-Request-ID")!] == "trace-123")
            let insane = try await client.execute(
                uri: "/health/live", method: .get, headers: [HTTPField.Name("X-Request-ID")!: "bad id\u{7f}"])
            let made = try #require(insane.headers[HTTPField.Name("X-Request-ID")!])
            #expect(made != "bad id\u{7f}" && made.count >= 16)
        }
    }

    @Test func badUploadsGetClearClientErrors() async throws {
        let jpeg = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        try await withServer(configuration: try await Self.configuration(maxUploadBytes: 200_000)) { client in
            // Not multipart at all.
            let raw = try await client.execute(
                uri: "/api/v1/detect", method: .post, headers: [.contentType: "image/jpeg"], body: ByteBuffer(bytes: jpeg))
            try expectError(raw, status: .unsupportedMediaType, code: "unsupported_media_type")
            // No file field, two files, an empty file.
            var fieldOnly = MultipartBody()
            fieldOnly.addField(name: "note", value: "no image here")
            try expectError(try await post(client, body: fieldOnly), status: .badRequest, code: "missing_file")
            var twoFiles = MultipartBody.file(Array(jpeg.prefix(1000)))
            twoFiles.addFile(name: "image", filename: "second.jpg", bytes: Array(jpeg.prefix(1000)))
            try expectError(try await post(client, body: twoFiles), status: .badRequest, code: "too_many_files")
            try expectError(try await post(client, body: .file([])), status: .badRequest, code: "empty_file")
            // Not an image, a truncated one, a decompression bomb, a body over the limit.
            try expectError(
                try await post(client, body: .file(Array("<html><body>hello</body></html>".utf8))), status: .unsupportedMediaType,
                code: "unsupported_media_type")
            try expectError(
                try await post(client, body: .file(Array(jpeg.prefix(jpeg.count / 2)))), status: .unprocessableContent,
                code: "invalid_image")
            try expectError(
                try await post(client, body: .file(SyntheticImages.pngHeader(width: 20000, height: 20000))),
                status: .unprocessableContent, code: "image_too_large")
            try expectError(
                try await post(client, body: .file([UInt8](repeating: 0xFF, count: 300_000))), status: .contentTooLarge,
                code: "payload_too_large")
            // The server keeps serving.
            #expect(try await post(client, body: .file(jpeg)).status == .ok)
        }
    }

    @Test func badParametersAreRejectedBeforeAnyWork() async throws {
        let jpeg = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        try await withServer { client in
            for query in [
                "conf=2", "conf=abc", "iou=-0.1", "max_det=0", "max_det=x", "agnostic=maybe", "classes=unicorn", "classes=",
                "colour=red",
            ] {
                try expectError(
                    try await post(client, "/api/v1/detect?\(query)", body: .file(jpeg)), status: .badRequest,
                    code: query.hasPrefix("classes=u") ? "invalid_parameter" : "invalid_parameter")
            }
            try expectError(
                try await post(client, "/api/v1/detect?model=no-such-model", body: .file(jpeg)), status: .badRequest,
                code: "unknown_model")
            try expectError(
                try await post(client, "/api/v1/detect?model=nanodet-m-missing", body: .file(jpeg)), status: .badRequest,
                code: "unknown_model")
        }
    }

    @Test func unknownRoutesAndMethodsUseTheErrorShape() async throws {
        try await withServer { client in
            try expectError(try await client.execute(uri: "/api/v1/nothing", method: .get), status: .notFound, code: "not_found")
            let wrongMethod = try await client.execute(uri: "/api/v1/detect", method: .get)
            #expect([.notFound, .methodNotAllowed].contains(wrongMethod.status))
            #expect(String(buffer: wrongMethod.body).contains("\"request_id\""))
        }
    }

    @Test func aFullPoolAnswers503WithRetryAfter() async throws {
        let jpeg = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        let pool = InferencePool(concurrency: 1, queueLimit: 0)
        // The gate blocks a Dispatch thread, never one of Swift's few cooperative threads.
        let gate = DispatchSemaphore(value: 0)
        let blocker = Task { try await pool.run { gate.wait() } }
        while pool.load.running == 0 { try await Task.sleep(for: .milliseconds(2)) }
        try await withServer(pool: pool) { client in
            let response = try await post(client, body: .file(jpeg))
            try expectError(response, status: .serviceUnavailable, code: "busy")
            #expect(response.headers[.retryAfter] == "1")
            gate.signal()
            try await blocker.value
            #expect(try await post(client, body: .file(jpeg)).status == .ok)
        }
    }
}
