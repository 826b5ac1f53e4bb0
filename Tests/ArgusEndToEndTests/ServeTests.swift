import ArgusTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// `argus serve` as a process, answered over real HTTP.
@Suite struct ServeTests {
    @Test func servesHealthAndDetectionThenStopsOnSIGTERM() async throws {
        let port = try ArgusProcess.freePort()
        let data = try TestEnvironment.temporaryDirectory("serve")
        let log = data.appendingPathComponent("serve.log")
        let server = try ArgusProcess.start(
            ["serve"], environment: ["ARGUS_PORT": String(port), "ARGUS_DATA_DIR": data.path], log: log)
        defer { if server.isRunning { server.terminate() } }

        let base = "http://127.0.0.1:\(port)"
        var live = false
        for _ in 0..<200 where !live {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/health/live"), timeout: .seconds(2)),
                response.status == .ok
            {
                live = true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(live, "server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")

        var upload = MultipartBody.file(try TestEnvironment.sampleBytes("darknet_dog.jpg"))
        upload.addField(name: "comment", value: "ignored")
        var request = HTTPClientRequest(url: base + "/api/v1/detect?conf=0.5")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: upload.contentType)
        request.body = .bytes(upload.finished())
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try #require(JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
        let labels = (json["detections"] as? [[String: Any]])?.compactMap { $0["label"] as? String } ?? []
        #expect(labels.contains("dog"))
        #expect(response.headers.first(name: "X-Request-ID") != nil)

        server.terminate()
        server.waitUntilExit()
        #expect(!server.isRunning)
    }

    @Test func aBadSettingStopsStartupNamingIt() throws {
        let outcome = try ArgusProcess.run(["serve"], environment: ["ARGUS_PORT": "eighty"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("ARGUS_PORT"))
    }
}
