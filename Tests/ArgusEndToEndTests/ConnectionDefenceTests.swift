import ArgusTestSupport
import AsyncHTTPClient
import Foundation
import Testing

/// `argus serve` against clients that hold sockets: oversized heads, slow heads, slow
/// bodies and idle keep-alive connections, counted by the server's own descriptors.
@Suite struct ConnectionDefenceTests {
    /// The server as a process, so `/proc/PID/fd` counts its descriptors alone.
    static func withServer(
        _ settings: [String: String] = [:], _ body: (_ port: Int, _ pid: Int32) async throws -> Void
    ) async throws {
        let port = try ArgusProcess.freePort()
        let data = try TestEnvironment.temporaryDirectory("connections")
        let log = data.appendingPathComponent("serve.log")
        let environment = ["ARGUS_PORT": String(port), "ARGUS_DATA_DIR": data.path].merging(settings) { $1 }
        let server = try ArgusProcess.start(["serve"], environment: environment, log: log)
        defer { if server.isRunning { server.terminate() } }
        let live = try await ServeTests.waitUntilLive("http://127.0.0.1:\(port)")
        try #require(live, "server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        try await body(port, server.processIdentifier)
    }

    static func descriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    static func openConnections(_ port: Int) async throws -> Double? {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let line = text.split(separator: "\n").first { $0.hasPrefix("argus_http_open_connections ") }
        return line.flatMap { Double($0.split(separator: " ")[1]) }
    }

    @Test func oversizedHeadsAreAnsweredAndLeaveNoDescriptorBehind() async throws {
        try await Self.withServer { port, pid in
            _ = try await Self.openConnections(port)
            let before = Self.descriptors(pid)
            let huge =
                "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: \(String(repeating: "a", count: 1 << 20))\r\n\r\n"
            let longURL = "GET /health/live?\(String(repeating: "q", count: 1 << 20)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            var answers: [String] = []
            for index in 0..<100 {
                // The whole answer, up to the server's close: recv returns 0 only then.
                answers.append(
                    try await SlowSocket.exchange(port: port, request: index % 2 == 0 ? huge : longURL, timeoutSeconds: 10))
            }
            #expect(
                answers.allSatisfy {
                    $0.hasPrefix("HTTP/1.1 431") || $0.hasPrefix("HTTP/1.1 414") || $0.hasPrefix("HTTP/1.1 400")
                },
                "\(answers.map { $0.prefix(15) })")
            // The server closes its side at once; give its event loops a moment to count.
            var after = Self.descriptors(pid)
            for _ in 0..<50 where after > before {
                try await Task.sleep(for: .milliseconds(100))
                after = Self.descriptors(pid)
            }
            #expect(after <= before, "descriptors \(before) before, \(after) after 100 oversized requests")
            // Only the connection asking for the metrics is open.
            #expect(try await Self.openConnections(port) == 1)
        }
    }

    @Test func slowClientsAreCutOffAtTheirDeadlineWhileOthersAreServed() async throws {
        let settings = ["ARGUS_HTTP_HEADER_TIMEOUT": "1", "ARGUS_HTTP_BODY_TIMEOUT": "2", "ARGUS_HTTP_IDLE_TIMEOUT": "2"]
        try await Self.withServer(settings) { port, pid in
            let before = Self.descriptors(pid)
            let head = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: \(String(repeating: "s", count: 200))\r\n\r\n"
            let body =
                "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n"
            // 20 connections trickling a head at 5 bytes a second, 5 trickling a body,
            // one that connects and says nothing; meanwhile ordinary requests.
            async let heads = withThrowingTaskGroup(of: Double?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await SlowSocket.secondsUntilClosed(port: port, trickle: head, interval: 0.2, giveUpAfter: 10)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            async let bodies = withThrowingTaskGroup(of: Double?.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        try await SlowSocket.secondsUntilClosed(
                            port: port, prefix: body, trickle: String(repeating: "x", count: 500), interval: 0.2, giveUpAfter: 10)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            async let silent = SlowSocket.secondsUntilClosed(port: port, trickle: "", interval: 0.1, giveUpAfter: 10)
            var served: [Double] = []
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(3) {
                let clock = ContinuousClock.now
                let response = try await HTTPClient.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live"), timeout: .seconds(5))
                #expect(response.status == .ok)
                let elapsed = (ContinuousClock.now - clock).components
                served.append(Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
                try await Task.sleep(for: .milliseconds(100))
            }
            let headTimes = try await heads
            let bodyTimes = try await bodies
            let silentTime = try await silent
            #expect(headTimes.allSatisfy { $0.map { $0 >= 0.9 && $0 < 3 } == true }, "heads closed after \(headTimes)")
            #expect(bodyTimes.allSatisfy { $0.map { $0 >= 1.9 && $0 < 4 } == true }, "bodies closed after \(bodyTimes)")
            #expect(
                silentTime.map { $0 >= 0.9 && $0 < 3 } == true,
                "a silent connection closed after \(String(describing: silentTime))")
            // Held behind the slow connections, a request would wait for their 1 s deadline;
            // the bound on the slowest leaves room for a loaded machine.
            let median = served.sorted()[served.count / 2]
            #expect(served.count >= 10 && median < 0.25 && served.allSatisfy { $0 < 1.5 }, "ordinary requests took \(served)")

            // A kept-alive connection is closed after the idle timeout, not before.
            let idle = try await SlowSocket.secondsUntilClosed(
                port: port, prefix: "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", trickle: "", interval: 0.1,
                giveUpAfter: 10)
            #expect(
                idle.map { $0 >= 1.9 && $0 < 4 } == true, "an idle keep-alive connection closed after \(String(describing: idle))"
            )
            var after = Self.descriptors(pid)
            for _ in 0..<30 where after > before {
                try await Task.sleep(for: .milliseconds(100))
                after = Self.descriptors(pid)
            }
            #expect(after <= before, "descriptors \(before) before, \(after) after the slow clients")
        }
    }
}
