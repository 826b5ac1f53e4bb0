import ArgusTestSupport
import Foundation
import Testing

/// A real SMTP server for one test: `scripts/smtp_sink.py` (aiosmtpd) in the bench venv,
/// with its own self-signed certificate. Messages arrive as the JSON Python's `email`
/// package made of them, an independent reading of what Argus sent.
final class SMTPSink: @unchecked Sendable {
    let process: Process
    let folder: URL
    let port: Int
    /// The certificate the client must trust (`ARGUS_SMTP_CA_FILE`).
    var certificate: String { folder.appendingPathComponent("cert.pem").path }

    struct Message: Decodable {
        let mail_from: String
        let rcpt_tos: [String]
        let encrypted: Bool
        let auth_user: String?
        let from: String
        let to: String
        let subject: String
        let message_id: String
        let text: String?
        let html: String?
        let raw: String
    }

    /// - Parameter arguments: smtp_sink.py's options (`--security tls`, `--user u --password p`, ...).
    static func start(_ arguments: [String]) async throws -> SMTPSink {
        let folder = try TestEnvironment.temporaryDirectory("smtp")
        let log = folder.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = TestEnvironment.repoRoot.appendingPathComponent(".deps/venv-bench/bin/python")
        process.arguments =
            [TestEnvironment.repoRoot.appendingPathComponent("scripts/smtp_sink.py").path, "--dir", folder.path] + arguments
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        // Its stdin stays open until the test ends; the sink stops when it closes.
        process.standardInput = Pipe()
        try process.run()
        // Python's start (aiosmtpd, a TLS certificate) is slow beside a busy test suite:
        // a generous deadline for a start, not a measure of anything.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PORT ") }), let port = Int(line.dropFirst(5)) {
                return SMTPSink(process: process, folder: folder, port: port)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw SinkFailure(log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    struct SinkFailure: Error, CustomStringConvertible {
        let log: String
        var description: String { "smtp_sink.py did not start: \(log)" }
    }

    private init(process: Process, folder: URL, port: Int) {
        self.process = process
        self.folder = folder
        self.port = port
    }

    func messages() throws -> [Message] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map {
            try JSONDecoder().decode(Message.self, from: Data(contentsOf: folder.appendingPathComponent($0)))
        }
    }

    /// Waits until `count` messages have arrived.
    func waitForMessages(_ count: Int, seconds: Double = 30) async throws -> [Message] {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            let received = try messages()
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(count) message(s) expected, \(try messages().count) arrived")
        return try messages()
    }

    /// Waits until a message that `matches` has arrived.
    func waitForMessage(seconds: Double = 30, _ matches: (Message) -> Bool) async throws -> Message? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let message = try messages().first(where: matches) { return message }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no matching message arrived; \(try messages().count) did")
        return nil
    }

    func stop() {
        process.terminate()
    }
}
