import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The Open Inference Protocol client and the `remote` circles backend against a real
/// KServe server running deploy/kserve/circles_model.py (scripts/test-kserve.sh, started
/// by `make test`).
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["ARGUS_TEST_KSERVE_URL"] != nil, "needs ARGUS_TEST_KSERVE_URL (make test sets it)"
    ))
struct RemoteCirclesTests {
    static var kserveURL: String? { ProcessInfo.processInfo.environment["ARGUS_TEST_KSERVE_URL"] }

    @Test func kserveFindsTheDrawnCirclesWithinTwoPixels() async throws {
        let client = OpenInferenceClient(baseURL: try #require(Self.kserveURL))
        #expect(await client.isReady())
        let metadata = try await client.metadata(model: "circles")
        #expect(metadata["name"] as? String == "circles")
        let scene = CircleScene.make()
        var options = CircleOptions()
        options.minRadius = 20
        options.maxRadius = 90
        let detector = RemoteCircleDetector(client: client, model: "circles")
        let found = try await detector.detect(
            Image(bgr: scene.pixels, width: scene.width, height: scene.height), options: options)
        #expect(scene.isRecovered(by: found.map { (Double($0.centerX), Double($0.centerY), Double($0.radius)) }), "\(found)")
        #expect(found.allSatisfy { $0.confidence > 0.5 && $0.confidence <= 1 })
        #expect(client.usesBinaryTensors == true, "KServe takes the binary tensor extension")
        await #expect(throws: RemoteInferenceError.self) { _ = try await client.metadata(model: "no-such-model") }
    }

    @Test func theServerUsesKServeWhenConfiguredSo() async throws {
        let configuration = try await TestServer.configuration {
            $0.circles.backend = .remote
            $0.circles.url = Self.kserveURL
        }
        try await TestServer.run(configuration) { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let scene = CircleScene.make()
            let response = try await api.multipart(
                "/api/v1/circles?min_radius=20&max_radius=90", .file(try TestPictures.png(scene), filename: "discs.png"), as: user
            )
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            #expect(response.json["detector"] as? String == "remote:circles")
            let circles = response.circles
            #expect(scene.isRecovered(by: circles), "\(circles)")
            let upload = try await api.upload(
                try TestPictures.png(scene), filename: "d.png", query: "tasks=circles&min_radius=20&max_radius=90", as: user)
            #expect(upload.status == .created)
            let results = upload.json["results"] as? [String: [String: Any]]
            #expect((results?["circles"]?["objects"] as? [Any])?.count == scene.discs.count)
            let health = try await api.get("/health", as: nil)
            let circlesCheck = (health.json["checks"] as? [String: [String: Any]])?["circles"]
            #expect(circlesCheck?["status"] as? String == "ok")
        }
    }
}

/// Retries, the circuit breaker and the readiness cache. A closed port stands for a down
/// server; a small local HTTP server that fails on purpose stands for a flaky one (KServe
/// cannot be made to fail on demand).
@Suite struct OpenInferenceResilienceTests {
    @Test func aDownServerOpensTheCircuitAndThenFailsFast() async throws {
        // Without a readiness check first, failed attempts alone open the circuit too.
        let fresh = OpenInferenceClient(
            baseURL: "http://127.0.0.1:\(try ClosedPort.make())",
            settings: {
                var settings = OpenInferenceClient.Settings()
                settings.attempts = 2
                settings.backoff = .milliseconds(5)
                settings.breakerThreshold = 2
                settings.timeout = .seconds(1)
                return settings
            }())
        await #expect(throws: RemoteInferenceError.self) {
            _ = try await fresh.infer(model: "circles", inputName: "image", shape: [1, 1, 3], bytes: [0, 0, 0])
        }
        #expect(fresh.circuitOpen)

        let port = try ClosedPort.make()
        var settings = OpenInferenceClient.Settings()
        settings.attempts = 2
        settings.backoff = .milliseconds(5)
        settings.breakerThreshold = 4
        settings.timeout = .seconds(2)
        let client = OpenInferenceClient(baseURL: "http://127.0.0.1:\(port)", settings: settings)
        #expect(await client.isReady() == false)
        // Known down: every call fails at once, and enough of them open the circuit.
        for _ in 0..<settings.breakerThreshold {
            await #expect(throws: RemoteInferenceError.self) {
                _ = try await client.infer(model: "circles", inputName: "image", shape: [1, 1, 3], bytes: [0, 0, 0])
            }
        }
        #expect(client.circuitOpen)
        let start = ContinuousClock.now
        do {
            _ = try await client.infer(model: "circles", inputName: "image", shape: [1, 1, 3], bytes: [0, 0, 0])
            Issue.record("expected a refusal")
        } catch let error as RemoteInferenceError {
            #expect(error.description.contains("circuit open"))
        }
        #expect(start.duration(to: .now) < .milliseconds(100))
    }

    @Test func transientFailuresAreRetried() async throws {
        let calls = Counter()
        let router = Router()
        router.post("/v2/models/circles/infer") { _, _ -> Response in
            // Two 503s, then a valid answer.
            if calls.next() <= 2 { return Response(status: .serviceUnavailable) }
            let body =
                #"{"model_name":"circles","outputs":[{"name":"circles","shape":[1,4],"datatype":"FP32","data":[10,20,5,0.9]}]}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { testClient in
            var settings = OpenInferenceClient.Settings()
            settings.backoff = .milliseconds(5)
            let client = OpenInferenceClient(baseURL: "http://127.0.0.1:\(try #require(testClient.port))", settings: settings)
            let outputs = try await client.infer(model: "circles", inputName: "image", shape: [1, 1, 3], bytes: [0, 0, 0])
            #expect(outputs.first?.values == [10, 20, 5, Double(Float(0.9))] || outputs.first?.values == [10, 20, 5, 0.9])
            #expect(calls.value == 3)
            #expect(!client.circuitOpen)
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.withLock {
            count += 1; return count
        }
    }
    var value: Int { lock.withLock { count } }
}

/// A loopback port with nothing listening on it.
enum ClosedPort {
    static func make() throws -> Int {
        let socket = try ServerSocket()
        return socket.port  // closed when `socket` goes out of scope
    }

    final class ServerSocket {
        let fd: Int32
        let port: Int
        init() throws {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var bound = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            self.fd = fd
            port = Int(UInt16(bigEndian: bound.sin_port))
        }
        deinit { close(fd) }
    }
}
