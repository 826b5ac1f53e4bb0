import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension APIClient {
    /// `POST /v2/models/{model}/infer` with a JSON header and, when given, binary data after it.
    func infer(_ model: String, _ header: [String: Any], binary: [UInt8]? = nil, key: String?) async throws -> Response {
        let json = try JSONSerialization.data(withJSONObject: header)
        var headers: HTTPFields = key.map { [.apiKey: $0] } ?? [:]
        var body = ByteBuffer(data: json)
        if let binary {
            body.writeBytes(binary)
            headers[HTTPField.Name("Inference-Header-Content-Length")!] = String(json.count)
            headers[.contentType] = "application/octet-stream"
        } else {
            headers[.contentType] = "application/json"
        }
        return try await raw(.post, "/v2/models/\(model)/infer", body: body, headers: headers)
    }

    func raw(
        _ method: HTTPRequest.Method, _ uri: String, body: ByteBuffer? = nil, headers: HTTPFields = [:]
    ) async throws
        -> Response
    {
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        return Response(status: response.status, headers: response.headers, body: response.body)
    }
}

extension APIClient.Response {
    /// The JSON header and the binary part of an inference answer.
    var inferenceParts: (header: [String: Any], binary: [UInt8]) {
        let bytes = Array(body.readableBytesView)
        let length = header("Inference-Header-Content-Length").flatMap(Int.init) ?? bytes.count
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes[0..<length]))) as? [String: Any] ?? [:]
        return (json, Array(bytes[length...]))
    }
}

/// Argus as an Open Inference Protocol v2 server: metadata from the ONNX session, raw
/// tensors equal to a direct session run (JSON and binary), the detection pipeline and
/// circles models, and every bad request answered `{"error": "..."}`.
@Suite struct OpenInferenceServerTests {
    static func floats(_ bytes: ArraySlice<UInt8>) -> [Float] {
        stride(from: bytes.startIndex, to: bytes.endIndex, by: 4).map { index in
            Float(
                bitPattern: UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
                    | UInt32(bytes[index + 3]) << 24)
        }
    }

    static func bytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    @Test func metadataAndReadinessComeFromTheSession() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let key = try await api.apiKey(for: try await api.signUp())
            let live = try await api.raw(.get, "/v2/health/live")
            #expect(live.status == .ok && live.json["live"] as? Bool == true)
            let anonymous = try await api.raw(.get, "/v2")
            #expect(anonymous.status == .unauthorized && anonymous.json["error"] is String)
            let server = try await api.raw(.get, "/v2", headers: [.apiKey: key])
            #expect(server.json["name"] as? String == "argus")
            #expect((server.json["extensions"] as? [String])?.contains("binary_tensor_data") == true)

            let session = try TestEnvironment.detectors.detector(for: "yolox-nano").session
            for path in ["/v2/models/yolox-nano", "/v2/models/yolox-nano/versions/1"] {
                let metadata = try await api.raw(.get, path, headers: [.apiKey: key])
                #expect(metadata.status == .ok, "\(String(buffer: metadata.body))")
                #expect(metadata.json["platform"] as? String == "onnxruntime_onnx")
                let inputs = try #require(metadata.json["inputs"] as? [[String: Any]])
                #expect(inputs.map { $0["name"] as? String } == session.inputs.map(\.name))
                #expect(inputs.map { $0["shape"] as? [Int] } == session.inputs.map(\.shape))
                #expect(inputs.allSatisfy { $0["datatype"] as? String == "FP32" })
                let outputs = try #require(metadata.json["outputs"] as? [[String: Any]])
                #expect(outputs.map { $0["name"] as? String } == session.outputs.map(\.name))
            }
            let ready = try await api.raw(.get, "/v2/models/yolox-nano/ready", headers: [.apiKey: key])
            #expect(ready.status == .ok && ready.json["ready"] as? Bool == true)
            _ = try await api.raw(.get, "/v2/models/yolov3-tiny", headers: [.apiKey: key])
            #expect(try await api.raw(.get, "/v2/health/ready").status == .ok)
            let pipeline = try await api.raw(.get, "/v2/models/yolox-nano-detect", headers: [.apiKey: key])
            #expect(
                (pipeline.json["outputs"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == [
                    "boxes", "scores", "classes", "labels",
                ])
            let index = try await api.raw(.post, "/v2/repository/index", headers: [.apiKey: key])
            let names = index.jsonArray.compactMap { $0["name"] as? String }
            #expect(["yolox-nano", "yolox-nano-detect", "yolov3-tiny", "circles"].allSatisfy(names.contains), "\(names)")

            for (path, status) in [
                ("/v2/models/no-such-model", HTTPResponse.Status.notFound), ("/v2/models/yolox-nano/versions/2", .notFound),
                ("/v2/models/no-such-model/ready", .notFound), ("/v2/no/such/route", .notFound),
            ] {
                let answer = try await api.raw(.get, path, headers: [.apiKey: key])
                #expect(answer.status == status, "\(path)")
                #expect(answer.json.keys.sorted() == ["error"] && answer.json["error"] is String, "\(path)")
            }
        }
    }

    @Test func rawTensorsEqualADirectSessionRun() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let key = try await api.apiKey(for: try await api.signUp())
            let session = try TestEnvironment.detectors.detector(for: "yolox-nano").session
            let shape = session.inputs[0].shape
            var generator = SystemRandomNumberGenerator()
            let values = (0..<shape.reduce(1, *)).map { _ in Float.random(in: 0..<255, using: &generator) }
            let expected = try session.run([Tensor(shape: shape, data: values)])

            // Binary in; the first output in binary, the others as JSON.
            let outputNames = session.outputs.map(\.name)
            let requested: [[String: Any]] = outputNames.enumerated().map { index, name in
                ["name": name, "parameters": ["binary_data": index == 0]]
            }
            let input: [String: Any] = [
                "name": session.inputs[0].name, "datatype": "FP32", "shape": shape,
                "parameters": ["binary_data_size": values.count * 4],
            ]
            let answer = try await api.infer(
                "yolox-nano", ["id": "r1", "inputs": [input], "outputs": requested], binary: Self.bytes(values), key: key)
            #expect(answer.status == .ok, "\(String(buffer: answer.body.getSlice(at: 0, length: 300) ?? ByteBuffer()))")
            let (header, binary) = answer.inferenceParts
            #expect(header["id"] as? String == "r1" && header["model_name"] as? String == "yolox-nano")
            let outputs = try #require(header["outputs"] as? [[String: Any]])
            #expect(outputs.count == expected.count)
            var offset = 0
            for (output, reference) in zip(outputs, expected) {
                #expect(output["shape"] as? [Int] == reference.shape)
                let got: [Float]
                if let size = (output["parameters"] as? [String: Any])?["binary_data_size"] as? Int {
                    got = Self.floats(binary[offset..<(offset + size)])
                    offset += size
                } else {
                    got = (output["data"] as? [Double] ?? []).map(Float.init)
                }
                #expect(got == reference.data, "\(output["name"] ?? "?") differs from the session's own run")
            }
            #expect(offset == binary.count && offset > 0)

            // The same tensor as JSON, every output as JSON.
            let json: [String: Any] = [
                "name": session.inputs[0].name, "datatype": "FP32", "shape": shape, "data": values.map(Double.init),
            ]
            let jsonAnswer = try await api.infer("yolox-nano", ["inputs": [json]], key: key)
            #expect(jsonAnswer.status == .ok)
            #expect(jsonAnswer.header("Inference-Header-Content-Length") == nil)
            let first = try #require((jsonAnswer.json["outputs"] as? [[String: Any]])?.first)
            #expect((first["data"] as? [Double] ?? []).map(Float.init) == expected[0].data)
        }
    }

    @Test func theDetectionPipelineEqualsTheNativeRoute() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let key = try await api.apiKey(for: user)
            let jpeg = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            var encoded: [UInt8] = withUnsafeBytes(of: UInt32(jpeg.count).littleEndian) { Array($0) }
            encoded += jpeg
            let input: [String: Any] = [
                "name": "image", "datatype": "BYTES", "shape": [1], "parameters": ["binary_data_size": encoded.count],
            ]
            let answer = try await api.infer(
                "yolov3-tiny-detect", ["inputs": [input], "parameters": ["conf": 0.4]], binary: encoded, key: key)
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            let outputs = try #require(answer.json["outputs"] as? [[String: Any]])
            let byName = Dictionary(uniqueKeysWithValues: outputs.map { ($0["name"] as? String ?? "", $0) })
            let boxes = byName["boxes"]?["data"] as? [Double] ?? []
            let labels = byName["labels"]?["data"] as? [String] ?? []
            let native = try await api.multipart("/api/v1/detect?conf=0.4", .file(jpeg), as: user)
            let detections = try #require(native.json["detections"] as? [[String: Any]])
            #expect(!detections.isEmpty && labels == detections.compactMap { $0["label"] as? String })
            let corners = detections.flatMap { detection -> [Double] in
                let box = detection["bbox"] as? [String: Double] ?? [:]
                return [box["x1"], box["y1"], box["x2"], box["y2"]].compactMap { $0 }
            }
            #expect(boxes.map(Float.init) == corners.map(Float.init))
        }
    }

    @Test func badRequestsAnswerInTheProtocolsShape() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let key = try await api.apiKey(for: try await api.signUp())
            let image = "images"
            func tensor(
                _ datatype: String, _ shape: [Int], data: Any? = nil, binary: Int? = nil, name: String = image
            )
                -> [String: Any]
            {
                var input: [String: Any] = ["name": name, "datatype": datatype, "shape": shape]
                if let data { input["data"] = data }
                if let binary { input["parameters"] = ["binary_data_size": binary] }
                return input
            }
            var cases: [(String, HTTPResponse.Status, APIClient.Response)] = []
            func add(_ what: String, _ status: HTTPResponse.Status, _ answer: APIClient.Response) {
                cases.append((what, status, answer))
            }
            add(
                "a wrong shape", .badRequest,
                try await api.infer(
                    "yolox-nano", ["inputs": [tensor("FP32", [1, 3, 2, 2], data: [Double](repeating: 0, count: 12))]], key: key))
            add(
                "a wrong datatype", .badRequest,
                try await api.infer(
                    "yolox-nano", ["inputs": [tensor("FP64", [1, 3, 416, 416], binary: 8 * 3 * 416 * 416)]],
                    binary: [UInt8](repeating: 0, count: 8 * 3 * 416 * 416), key: key))
            add(
                "a huge declared shape", .badRequest,
                try await api.infer("yolox-nano", ["inputs": [tensor("FP32", [1 << 40, 1 << 40, 1 << 40], data: [])]], key: key))
            add(
                "binary data shorter than declared", .badRequest,
                try await api.infer(
                    "yolox-nano", ["inputs": [tensor("FP32", [1, 3, 416, 416], binary: 4 * 3 * 416 * 416)]], binary: [1, 2, 3],
                    key: key))
            add(
                "an unknown datatype", .badRequest,
                try await api.infer("yolox-nano", ["inputs": [tensor("FP128", [1], data: [1])]], key: key))
            add(
                "an unknown input", .badRequest,
                try await api.infer("yolox-nano", ["inputs": [tensor("FP32", [1], data: [1], name: "other")]], key: key))
            add("no inputs", .badRequest, try await api.infer("yolox-nano", ["inputs": []], key: key))
            add(
                "an unknown output", .badRequest,
                try await api.infer(
                    "circles",
                    ["inputs": [tensor("UINT8", [1, 1, 3], data: [1, 2, 3], name: "image")], "outputs": [["name": "nope"]]],
                    key: key))
            add(
                "strings for FP32", .badRequest,
                try await api.infer("yolox-nano", ["inputs": [tensor("FP32", [1], data: ["a"])]], key: key))
            add(
                "300 as UINT8", .badRequest,
                try await api.infer(
                    "circles", ["inputs": [tensor("UINT8", [1, 1, 3], data: [1, 2, 300], name: "image")]], key: key))
            add(
                "a cut-off BYTES length", .badRequest,
                try await api.infer(
                    "yolox-nano-detect", ["inputs": [tensor("BYTES", [1], binary: 2, name: "image")]], binary: [9, 0], key: key))
            add(
                "not an image", .unsupportedMediaType,
                try await api.infer(
                    "yolox-nano-detect", ["inputs": [tensor("BYTES", [1], data: ["hello"], name: "image")]], key: key))
            add(
                "an unknown parameter", .badRequest,
                try await api.infer(
                    "yolox-nano-detect",
                    ["inputs": [tensor("BYTES", [1], data: ["x"], name: "image")], "parameters": ["confidance": 0.3]], key: key))
            add(
                "an unknown model", .notFound,
                try await api.infer("no-such-model", ["inputs": [tensor("FP32", [1], data: [1])]], key: key))
            add(
                "no credential", .unauthorized,
                try await api.infer("yolox-nano", ["inputs": [tensor("FP32", [1], data: [1])]], key: nil))
            let length = HTTPField.Name("Inference-Header-Content-Length")!
            add(
                "a binary header longer than the body", .badRequest,
                try await api.raw(
                    .post, "/v2/models/yolox-nano/infer", body: ByteBuffer(string: "{}"), headers: [.apiKey: key, length: "4096"])
            )
            add(
                "invalid JSON", .badRequest,
                try await api.raw(
                    .post, "/v2/models/yolox-nano/infer", body: ByteBuffer(string: "{\"inputs\": ["), headers: [.apiKey: key]))
            add("an empty body", .badRequest, try await api.raw(.post, "/v2/models/yolox-nano/infer", headers: [.apiKey: key]))
            for (what, status, answer) in cases {
                #expect(answer.status == status, "\(what): \(String(buffer: answer.body))")
                #expect(answer.json.keys.sorted() == ["error"], "\(what): \(String(buffer: answer.body))")
                #expect((answer.json["error"] as? String).map { !$0.isEmpty } == true, "\(what)")
            }
        }
    }

    /// Argus talking to Argus: one server's `circles` model is the other's remote circle detector.
    @Test func anotherArgusIsARemoteCircleDetector() async throws {
        // `argus serve` loads its default detector before it opens the port; /v2/health/ready waits for it.
        _ = try TestEnvironment.detectors.detector(for: ModelCatalogue.defaultDetector)
        try await TestServer.run(transport: .live) { remoteClient, _ in
            let remote = APIClient(client: remoteClient)
            let key = try await remote.apiKey(for: try await remote.signUp())
            let port = try #require(remoteClient.port)
            let configuration = try await TestServer.configuration {
                $0.circles.backend = .remote
                $0.circles.url = "http://127.0.0.1:\(port)"
                $0.circles.apiKey = key
            }
            try await TestServer.run(configuration) { client, _ in
                let api = APIClient(client: client)
                let user = try await api.signUp()
                let scene = CircleScene.make()
                let answer = try await api.multipart(
                    "/api/v1/circles?min_radius=20&max_radius=90", .file(try TestPictures.png(scene), filename: "discs.png"),
                    as: user)
                #expect(answer.status == .ok, "\(String(buffer: answer.body))")
                #expect(answer.json["detector"] as? String == "remote:circles")
                #expect(scene.isRecovered(by: answer.circles), "\(answer.circles)")
            }
        }
    }
}
