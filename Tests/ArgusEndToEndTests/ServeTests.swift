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
        let settings = ["ARGUS_PORT": String(port), "ARGUS_DATA_DIR": data.path, "ARGUS_BCRYPT_COST": "4"]
        let created = try await ArgusProcess.run(
            ["users", "create", "--admin", "--password-stdin", "ops@example.com"], environment: settings,
            input: "a long admin password\n")
        #expect(created.status == 0, "\(created.stderr)")
        let server = try ArgusProcess.start(["serve"], environment: settings, log: log)
        defer { if server.isRunning { server.terminate() } }

        let base = "http://127.0.0.1:\(port)"
        let live = try await Self.waitUntilLive(base)
        #expect(live, "server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")

        // The JWT secret was generated on first start, readable by the owner only.
        let secret = try FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("jwt-secret").path)
        #expect((secret[.posixPermissions] as? Int) == 0o600)

        var login = HTTPClientRequest(url: base + "/api/v1/auth/login")
        login.method = .POST
        login.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        login.body = .bytes(ByteBuffer(string: "username=ops%40example.com&password=a+long+admin+password"))
        let loginResponse = try await HTTPClient.shared.execute(login, timeout: .seconds(30))
        #expect(loginResponse.status == .ok)
        let tokens = try #require(
            JSONSerialization.jsonObject(with: Data(buffer: try await loginResponse.body.collect(upTo: 1 << 16)))
                as? [String: Any])
        let access = try #require(tokens["access_token"] as? String)

        var upload = MultipartBody.file(try TestEnvironment.sampleBytes("darknet_dog.jpg"))
        upload.addField(name: "comment", value: "ignored")
        var request = HTTPClientRequest(url: base + "/api/v1/detect?conf=0.5")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: upload.contentType)
        request.body = .bytes(upload.finished())
        let anonymous = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(anonymous.status == .unauthorized)
        request.headers.add(name: "Authorization", value: "Bearer " + access)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try #require(JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
        let labels = (json["detections"] as? [[String: Any]])?.compactMap { $0["label"] as? String } ?? []
        #expect(labels.contains("dog"))
        #expect(response.headers.first(name: "X-Request-ID") != nil)

        // This request's own connection is open while /metrics renders.
        let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
        let exposition = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
        let open = exposition.split(separator: "\n").first { $0.hasPrefix("argus_http_open_connections ") }
        #expect(open.flatMap { Double($0.split(separator: " ")[1]) }.map { $0 >= 1 } == true, "\(exposition.prefix(2000))")

        server.terminate()
        for _ in 0..<300 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isRunning)

        // One JSON log line per request, carrying its route, status and request id.
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        let entries = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let detect = try #require(
            entries.last { $0["message"] as? String == "request" && $0["route"] as? String == "/api/v1/detect" })
        #expect(detect["status"] as? Int == 200)
        #expect(detect["request_id"] as? String == response.headers.first(name: "X-Request-ID"))
        // One request id per line, and times in UTC.
        #expect(entries.allSatisfy { $0["hb.request.id"] == nil })
        #expect((detect["ts"] as? String)?.hasSuffix("Z") == true, "\(detect["ts"] ?? "")")
        #expect((detect["request_id"] as? String).map { $0 == $0.lowercased() } == true)
        #expect((detect["duration_ms"] as? Double ?? -1) > 0)
        #expect((detect["user_id"] as? String)?.count == 36)
        // Never a token or a password in the log.
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(!text.contains(access) && !text.contains("a long admin password") && !text.contains("a+long+admin"))
    }

    /// Issue 8: this 40-byte body stopped the process (`Illegal instruction`) while
    /// MultipartKit parsed uploads. The built binary answers it 400 and goes on serving.
    @Test func theFortyByteMultipartBodyNoLongerStopsTheServer() async throws {
        let port = try ArgusProcess.freePort()
        let data = try TestEnvironment.temporaryDirectory("serve-crash")
        let log = data.appendingPathComponent("serve.log")
        let server = try ArgusProcess.start(
            ["serve"], environment: ["ARGUS_PORT": String(port), "ARGUS_DATA_DIR": data.path, "ARGUS_ALLOW_ANONYMOUS": "true"],
            log: log)
        defer { if server.isRunning { server.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        let live = try await Self.waitUntilLive(base)
        #expect(live, "server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        // Anonymous access reaches /detect; every upload route shares the parser.
        for route in ["/api/v1/detect"] {
            var request = HTTPClientRequest(url: base + route)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=XX")
            request.body = .bytes(
                ByteBuffer(bytes: Array("--XX\r\n".utf8) + [0xC2, 0x9B, 0xF1] + Array("\r\n\r\nab\r\n--XX--\r\n".utf8)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status == .badRequest, "\(route)")
            let body = try await response.body.collect(upTo: 1 << 16)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            #expect((json?["error"] as? [String: Any])?["code"] as? String == "invalid_multipart", "\(route)")
        }
        let after = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/health/live"), timeout: .seconds(5))
        #expect(after.status == .ok)
        #expect(server.isRunning)
    }

    /// `make run` (scripts/serve.sh) starts the server again when it dies of a crash, and
    /// ends when the server stops cleanly (SIGTERM to the server: no restart).
    @Test func makeRunRestartsTheServerAfterACrash() async throws {
        let port = try ArgusProcess.freePort()
        let data = try TestEnvironment.temporaryDirectory("serve-restart")
        let log = data.appendingPathComponent("serve.log")
        // Swift's crash reporter would spend seconds on a backtrace before the process dies.
        let supervisor = try ArgusProcess.start(
            [], environment: ["ARGUS_PORT": String(port), "ARGUS_DATA_DIR": data.path, "SWIFT_BACKTRACE": "enable=no"],
            log: log, script: "scripts/serve.sh")
        defer { if supervisor.isRunning { supervisor.terminate() } }
        func serverPid() async throws -> Int32? {
            for _ in 0..<300 {
                let live = try? await HTTPClient.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live"), timeout: .seconds(2))
                if live?.status == .ok, let pid = Self.children(of: supervisor.processIdentifier).first { return pid }
                try await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }
        let first = try #require(try await serverPid(), "no server: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        kill(first, SIGILL)
        for _ in 0..<600 where Self.children(of: supervisor.processIdentifier).contains(first) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let second = try #require(
            try await serverPid(), "not restarted: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        #expect(second != first)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("argus serve died of signal 4; restarting"))
        kill(second, SIGTERM)
        for _ in 0..<300 where supervisor.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!supervisor.isRunning)
        #expect(supervisor.terminationStatus == 0)
    }

    /// Whether `/health/live` answered 200 within 20 seconds.
    /// CUDA asked for and not usable (the CPU build only, or no GPU): `serve` stops with
    /// an error naming the setting instead of running on the CPU unasked.
    @Test func cudaThatCannotBeUsedStopsTheServerInsteadOfFallingBackToTheCPU() async throws {
        let port = try ArgusProcess.freePort()
        let data = try TestEnvironment.temporaryDirectory("cuda")
        let outcome = try await ArgusProcess.run(
            ["serve"],
            environment: ["ARGUS_PORT": String(port), "ARGUS_DATA_DIR": data.path, "ARGUS_EXECUTION_PROVIDER": "cuda"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("ARGUS_EXECUTION_PROVIDER=cuda"), "\(outcome.stderr)")
        let served = try? await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live"), timeout: .seconds(2))
        #expect(served == nil)
    }

    static func waitUntilLive(_ base: String) async throws -> Bool {
        for _ in 0..<200 {
            let response = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: base + "/health/live"), timeout: .seconds(2))
            if response?.status == .ok { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The process ids whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid
        }
    }

    @Test func configPrintsEffectiveSettings() async throws {
        let defaults = try await ArgusProcess.run(["config"], environment: ["ARGUS_PORT": "", "ARGUS_HOST": ""])
        #expect(defaults.status == 0)
        #expect(defaults.stdout.contains("ARGUS_PORT=8080\n"))
        #expect(defaults.stdout.contains("ARGUS_HOST=127.0.0.1\n"))
        let custom = try await ArgusProcess.run(
            ["config", "--json"], environment: ["ARGUS_PORT": "9123", "ARGUS_LOG_LEVEL": "debug"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(custom.stdout.utf8)) as? [String: String])
        #expect(object["ARGUS_PORT"] == "9123" && object["ARGUS_LOG_LEVEL"] == "debug")
        let bad = try await ArgusProcess.run(["config"], environment: ["ARGUS_LOG_LEVEL": "loud"])
        #expect(bad.status != 0 && bad.stderr.contains("ARGUS_LOG_LEVEL"))
    }

    @Test func configMasksSecretsAndReadsTheConfigFile() async throws {
        let secret = "s3cret-" + String(repeating: "x", count: 40)
        let masked = try await ArgusProcess.run(
            ["config"],
            environment: [
                "ARGUS_JWT_SECRET": secret, "ARGUS_DATABASE_URL": "postgres://argus:hunter2hunter2@db.internal:5432/argus",
            ])
        #expect(masked.status == 0, "\(masked.stderr)")
        #expect(!masked.stdout.contains(secret) && !masked.stdout.contains("hunter2"))
        #expect(masked.stdout.contains("ARGUS_JWT_SECRET=****\n"))
        #expect(masked.stdout.contains("ARGUS_DATABASE_URL=postgres://argus:****@db.internal:5432/argus\n"))

        let folder = try TestEnvironment.temporaryDirectory("config-file")
        let file = folder.appendingPathComponent("argus.env")
        try "# settings\nARGUS_PORT=9999\nARGUS_LOG_LEVEL=\"debug\"\n\nARGUS_ALLOW_SIGNUP=false\n".write(
            to: file, atomically: true, encoding: .utf8)
        let fromFile = try await ArgusProcess.run(
            ["config"], environment: ["ARGUS_CONFIG_FILE": file.path, "ARGUS_PORT": "", "ARGUS_LOG_LEVEL": "warning"])
        #expect(fromFile.stdout.contains("ARGUS_PORT=9999\n"))
        #expect(fromFile.stdout.contains("ARGUS_LOG_LEVEL=warning\n"), "the environment wins over the file")
        #expect(fromFile.stdout.contains("ARGUS_ALLOW_SIGNUP=false\n"))

        try "PORT=1\n".write(to: file, atomically: true, encoding: .utf8)
        let badFile = try await ArgusProcess.run(["config"], environment: ["ARGUS_CONFIG_FILE": file.path])
        #expect(badFile.status != 0 && badFile.stderr.contains("line 1"))
        let shortSecret = try await ArgusProcess.run(["config"], environment: ["ARGUS_JWT_SECRET": "short"])
        #expect(shortSecret.status != 0 && shortSecret.stderr.contains("ARGUS_JWT_SECRET"))
        let badDatabase = try await ArgusProcess.run(["config"], environment: ["ARGUS_DATABASE_URL": "mysql://x"])
        #expect(badDatabase.status != 0 && badDatabase.stderr.contains("ARGUS_DATABASE_URL"))
    }

    @Test func migrateAndUsersCommands() async throws {
        let data = try TestEnvironment.temporaryDirectory("migrate")
        let settings = ["ARGUS_DATA_DIR": data.path, "ARGUS_BCRYPT_COST": "4"]
        let pending = try await ArgusProcess.run(["migrate", "--dry-run"], environment: settings)
        #expect(pending.status == 0 && pending.stdout.contains("001_create_accounts"), "\(pending.stderr)")
        let applied = try await ArgusProcess.run(["migrate"], environment: settings)
        #expect(applied.stdout.contains("applied: 001_create_accounts"))
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("argus.sqlite").path))
        let again = try await ArgusProcess.run(["migrate"], environment: settings)
        #expect(again.status == 0 && again.stdout.contains("up to date"))

        let created = try await ArgusProcess.run(
            ["users", "create", "Someone@Example.com", "--name", "Someone"], environment: settings)
        #expect(created.status == 0, "\(created.stderr)")
        let password = try #require(created.stdout.split(separator: "\n").first { $0.hasPrefix("password: ") })
        #expect(password.dropFirst("password: ".count).count == 20)
        let duplicate = try await ArgusProcess.run(["users", "create", "someone@example.com"], environment: settings)
        #expect(duplicate.status != 0 && duplicate.stderr.contains("already exists"))
        let weak = try await ArgusProcess.run(
            ["users", "create", "--password-stdin", "other@example.com"], environment: settings, input: "short\n")
        #expect(weak.status != 0 && weak.stderr.contains("password"))
        _ = try await ArgusProcess.run(["users", "promote", "someone@example.com"], environment: settings)
        let listed = try await ArgusProcess.run(["users", "list"], environment: settings)
        #expect(listed.stdout.contains("someone@example.com\tadmin"))
        #expect(!listed.stdout.contains("other@example.com"))
    }

    @Test func aBadSettingStopsStartupNamingIt() async throws {
        let outcome = try await ArgusProcess.run(["serve"], environment: ["ARGUS_PORT": "eighty"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("ARGUS_PORT"))
    }
}
