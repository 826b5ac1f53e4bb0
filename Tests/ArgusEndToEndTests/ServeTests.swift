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

        // One JSON log line per request, carrying its route, status and request id.
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        let entries = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let detect = try #require(entries.first { $0["message"] as? String == "request" && $0["route"] as? String == "/api/v1/detect" })
        #expect(detect["status"] as? Int == 200)
        #expect(detect["request_id"] as? String == response.headers.first(name: "X-Request-ID"))
        #expect((detect["duration_ms"] as? Double ?? -1) > 0)
    }

    @Test func configPrintsEffectiveSettings() throws {
        let defaults = try ArgusProcess.run(["config"], environment: ["ARGUS_PORT": "", "ARGUS_HOST": ""])
        #expect(defaults.status == 0)
        #expect(defaults.stdout.contains("ARGUS_PORT=8080\n"))
        #expect(defaults.stdout.contains("ARGUS_HOST=127.0.0.1\n"))
        let custom = try ArgusProcess.run(["config", "--json"], environment: ["ARGUS_PORT": "9123", "ARGUS_LOG_LEVEL": "debug"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(custom.stdout.utf8)) as? [String: String])
        #expect(object["ARGUS_PORT"] == "9123" && object["ARGUS_LOG_LEVEL"] == "debug")
        let bad = try ArgusProcess.run(["config"], environment: ["ARGUS_LOG_LEVEL": "loud"])
        #expect(bad.status != 0 && bad.stderr.contains("ARGUS_LOG_LEVEL"))
    }

    @Test func aBadSettingStopsStartupNamingIt() throws {
        let outcome = try ArgusProcess.run(["serve"], environment: ["ARGUS_PORT": "eighty"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("ARGUS_PORT"))
    }
}
