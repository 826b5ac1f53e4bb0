import ArgusTestSupport
import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import ArgusServer

/// E-mail through real peers: an aiosmtpd server (STARTTLS or implicit TLS, AUTH PLAIN or
/// LOGIN), a local HTTP receiver standing in for Brevo's API, and the outbox folder.
@Suite struct MailTests {
    static func smtpSettings(_ sink: SMTPSink, security: SMTPSettings.Security = .starttls) -> SMTPSettings {
        var settings = SMTPSettings()
        settings.host = "localhost"
        settings.port = sink.port
        settings.security = security
        settings.username = "argus"
        settings.password = "s3cret pass"
        settings.caFile = sink.certificate
        // Long enough for Python's sink beside a busy test suite (the outage case is a
        // closed port, refused at once, so no test waits for it).
        settings.timeoutSeconds = 60
        return settings
    }

    static func message(to: String = "zoe@example.com") -> MailMessage {
        MailMessage(
            from: MailAddress(parsing: "Argus Server <argus@example.com>")!, to: [MailAddress(email: to, name: "Zoë Ångström")!],
            subject: "Größe ✓ résumé: a subject long enough to need more than one encoded word, with ümlauts",
            text: "Hello Zoë,\n.a line that starts with a dot\n\(String(repeating: "long line ", count: 30))\n-- \nArgus",
            html: "<p>Hello <b>Zoë</b></p>")
    }

    @Test func smtpWithSTARTTLSAndAuthPlainDeliversTheMessageIntact() async throws {
        let sink = try await SMTPSink.start(["--security", "starttls", "--user", "argus", "--password", "s3cret pass"])
        defer { sink.stop() }
        let message = Self.message()
        try await SMTPMailTransport(settings: Self.smtpSettings(sink)).send(message)
        let received = try #require(try await sink.waitForMessages(1).first)
        #expect(received.encrypted, "STARTTLS was used")
        #expect(received.auth_user == "argus")
        #expect(received.mail_from == "argus@example.com" && received.rcpt_tos == ["zoe@example.com"])
        #expect(received.subject == message.subject)
        #expect(received.from == "Argus Server <argus@example.com>")
        #expect(received.to == "Zoë Ångström <zoe@example.com>")
        #expect(received.message_id == message.messageId)
        #expect(
            received.text?.replacingOccurrences(of: "\r\n", with: "\n") == message.text + "\n"
                || received.text?
                    .replacingOccurrences(of: "\r\n", with: "\n") == message.text
        )
        #expect(received.html?.contains("<b>Zoë</b>") == true)
        #expect(!received.raw.components(separatedBy: "\r\n").contains { $0.count > 998 }, "no line beyond RFC 5322's limit")
    }

    @Test func smtpWithImplicitTLSFallsBackToAuthLogin() async throws {
        let sink = try await SMTPSink.start([
            "--security", "tls", "--user", "argus", "--password", "s3cret pass", "--no-plain",
        ])
        defer { sink.stop() }
        try await SMTPMailTransport(settings: Self.smtpSettings(sink, security: .tls)).send(Self.message())
        let received = try #require(try await sink.waitForMessages(1).first)
        #expect(received.encrypted && received.auth_user == "argus")
    }

    @Test func smtpRefusalsAreFinalAndOutagesAreRetried() async throws {
        let sink = try await SMTPSink.start(["--security", "starttls", "--user", "argus", "--password", "s3cret pass"])
        defer { sink.stop() }
        var wrong = Self.smtpSettings(sink)
        wrong.password = "not it"
        let refused = await #expect(throws: MailDeliveryError.self) {
            try await SMTPMailTransport(settings: wrong).send(Self.message())
        }
        #expect(refused?.permanent == true, "535: credentials refused, final")
        #expect(refused?.description.contains("535") == true, "\(refused?.description ?? "")")

        var untrusted = Self.smtpSettings(sink)
        untrusted.caFile = nil
        let tls = await #expect(throws: MailDeliveryError.self) {
            try await SMTPMailTransport(settings: untrusted).send(Self.message())
        }
        #expect(tls?.permanent == false, "a certificate nobody trusts fails the attempt")

        let plain = try await SMTPSink.start(["--security", "starttls", "--no-starttls"])
        defer { plain.stop() }
        var settings = Self.smtpSettings(plain)
        settings.username = nil
        let noTLS = await #expect(throws: MailDeliveryError.self) {
            try await SMTPMailTransport(settings: settings).send(Self.message())
        }
        #expect(noTLS?.permanent == true && noTLS?.description.contains("STARTTLS") == true)
        #expect(try plain.messages().isEmpty, "nothing is sent in clear when STARTTLS was asked for")

        var closed = Self.smtpSettings(sink)
        closed.port = try ArgusProcess.freePort()
        let outage = await #expect(throws: MailDeliveryError.self) {
            try await SMTPMailTransport(settings: closed).send(Self.message())
        }
        #expect(outage?.permanent == false, "no server: retried later")
    }

    /// Sign-up mails a welcome; forgot-password mails a single-use link; the answer for an
    /// unknown address is the same and sends nothing.
    @Test func welcomeAndPasswordResetMailsGoThroughSMTP() async throws {
        let sink = try await SMTPSink.start(["--security", "starttls", "--user", "argus", "--password", "s3cret pass"])
        defer { sink.stop() }
        var configuration = try await JobQueueTests.configuration()
        configuration.mail.transport = .smtp
        configuration.mail.smtp = Self.smtpSettings(sink)
        configuration.mail.from = "Argus <noreply@example.com>"
        configuration.publicURLOverride = "https://argus.example.com"
        try await TestServer.run(configuration) { client, dependencies in
            let api = APIClient(client: client)
            try await JobQueueTests.withWorkers(dependencies) {
                let user = try await api.signUp(password: "old password 123")
                let welcome = try #require(try await sink.waitForMessages(1).first)
                #expect(welcome.rcpt_tos == [user.email] && welcome.subject == "Welcome to Argus, Test")
                #expect(welcome.text?.contains("https://argus.example.com/docs") == true)

                let unknown = try await api.request(
                    .post, "/api/v1/auth/password/forgot", json: ["email": "nobody-\(UUID())@example.com"])
                let known = try await api.request(.post, "/api/v1/auth/password/forgot", json: ["email": user.email])
                #expect(unknown.status == .accepted && known.status == .accepted)
                #expect(String(buffer: unknown.body) == String(buffer: known.body), "the answer never tells")
                // Delivery is at least once: a mail job whose lease ran out on a loaded
                // machine is sent again, so the reset is found by its subject.
                let reset = try #require(try await sink.waitForMessage { $0.subject == "Reset your Argus password" })
                #expect(reset.subject == "Reset your Argus password" && reset.rcpt_tos == [user.email])
                let text = try #require(reset.text)
                let token = try #require(text.firstMatch(of: /pr_[A-Za-z0-9_-]{20,}/).map { String($0.output) })
                #expect(text.contains("https://argus.example.com/reset-password?token=\(token)"))
                #expect(reset.html?.contains(token) == true)

                let weak = try await api.request(
                    .post, "/api/v1/auth/password/reset", json: ["token": token, "new_password": "short"])
                #expect(weak.status == .unprocessableContent && weak.errorCode == "weak_password")
                let done = try await api.request(
                    .post, "/api/v1/auth/password/reset", json: ["token": token, "new_password": "a brand new password"])
                #expect(done.status == .noContent, "\(String(buffer: done.body))")
                let again = try await api.request(
                    .post, "/api/v1/auth/password/reset", json: ["token": token, "new_password": "another new password"])
                #expect(again.status == .badRequest && again.errorCode == "invalid_reset_token")
                let old = try await api.request(
                    .post, "/api/v1/auth/login", json: ["email": user.email, "password": "old password 123"])
                #expect(old.status == .unauthorized)
                let new = try await api.request(
                    .post, "/api/v1/auth/login", json: ["email": user.email, "password": "a brand new password"])
                #expect(new.status == .ok)
                let refreshed = try await api.request(
                    .post, "/api/v1/auth/refresh", json: ["refresh_token": user.refreshToken])
                #expect(refreshed.status == .unauthorized, "the reset ended the sessions")
                try await JobQueueTests.waitUntil(10) {
                    try await JobRecord.query(on: dependencies.database.db).filter(\.$kind == PasswordResets.kind).all()
                        .allSatisfy { $0.status == "done" }
                }
                #expect(
                    try sink.messages().allSatisfy { $0.rcpt_tos == [user.email] }, "the unknown address got nothing")
            }
            // No secret stays in the jobs table once its mail went out.
            let mailJobs = try await JobRecord.query(on: dependencies.database.db)
                .filter(\.$kind ~~ [Mailer.kind, PasswordResets.kind]).all()
            #expect(mailJobs.count == 4 && mailJobs.allSatisfy { $0.status == "done" && $0.payload == "{}" })
        }
    }

    /// The link of the reset mail opens a form that spends the token like the API does.
    @Test func theResetPageChangesThePasswordOnce() async throws {
        let configuration = try await JobQueueTests.configuration()
        let outbox = URL(fileURLWithPath: configuration.outboxPath)
        try await TestServer.run(configuration) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp(password: "old password 123")
            let token = try await JobQueueTests.withWorkers(dependencies) { () -> String in
                let asked = try await api.request(.post, "/api/v1/auth/password/forgot", json: ["email": user.email])
                #expect(asked.status == .accepted)
                try await JobQueueTests.waitUntil(30) {
                    Self.outboxMessages(outbox).contains { $0.contains("Subject: Reset your Argus password") }
                }
                let mail = try #require(Self.outboxMessages(outbox).first { $0.contains("Subject: Reset your Argus password") })
                let link = try #require(
                    Self.textPart(of: mail).firstMatch(of: /http:\/\/[^\s]+\/reset-password\?token=(pr_[A-Za-z0-9_-]+)/))
                return String(link.output.1)
            }
            let page = try await api.request(.get, "/reset-password?token=\(token)")
            #expect(page.status == .ok && page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(String(buffer: page.body).contains("value=\"\(token)\""))
            #expect(page.header("Content-Security-Policy")?.contains("form-action 'self'") == true)
            let differ = try await api.form(
                "/reset-password", [("token", token), ("new_password", "new password 456"), ("confirm_password", "other")])
            #expect(differ.status == .unprocessableContent && String(buffer: differ.body).contains("differ"))
            let done = try await api.form(
                "/reset-password",
                [("token", token), ("new_password", "new password 456"), ("confirm_password", "new password 456")])
            #expect(done.status == .ok && String(buffer: done.body).contains("Your password is changed"))
            let again = try await api.form(
                "/reset-password",
                [("token", token), ("new_password", "third password 789"), ("confirm_password", "third password 789")])
            #expect(again.status == .badRequest)
            let login = try await api.request(
                .post, "/api/v1/auth/login", json: ["email": user.email, "password": "new password 456"])
            #expect(login.status == .ok)
            let bare = try await api.request(.get, "/reset-password")
            #expect(bare.status == .ok && String(buffer: bare.body).contains("no token"))
        }
    }

    /// Job mails and the weekly report only for those who opted in, written to the outbox.
    @Test func optInJobMailsAndTheWeeklyReportLandInTheOutbox() async throws {
        let configuration = try await JobQueueTests.configuration()
        let outbox = URL(fileURLWithPath: configuration.outboxPath)
        try await TestServer.run(configuration) { client, dependencies in
            let api = APIClient(client: client)
            let admin = try await api.admin(dependencies)
            let quiet = try await api.admin(dependencies)
            let optIn = try await api.request(
                .patch, "/api/v1/users/me", json: ["job_emails": true, "weekly_report": true], headers: admin.bearer)
            #expect(optIn.status == .ok && optIn.json["job_emails"] as? Bool == true)
            #expect(optIn.json["weekly_report"] as? Bool == true)
            let dog = try TestEnvironment.sampleBytes("darknet_dog.jpg")
            let uploaded = try await api.upload(dog, query: "tasks=detect", as: admin)
            #expect(uploaded.status == .created)
            try await JobQueueTests.withWorkers(dependencies) {
                for (user, payload) in [(admin, [String: Any]()), (admin, ["fail_attempts": 9]), (quiet, [:])] {
                    let job = try await api.request(
                        .post, "/api/v1/admin/jobs", json: ["kind": "noop", "payload": payload, "max_attempts": 1],
                        headers: user.bearer)
                    #expect(job.status == .created, "\(String(buffer: job.body))")
                }
                try await JobQueueTests.waitUntil(30) { Self.outboxMessages(outbox).count >= 2 }
                try await Task.sleep(for: .milliseconds(300))
            }
            let jobMails = Self.outboxMessages(outbox)
            #expect(jobMails.count == 2, "one per job of the account that opted in")
            #expect(jobMails.allSatisfy { $0.contains("To: \"Admin\" <\(admin.email)>") })
            let subjects = jobMails.compactMap { $0.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") } }
            #expect(subjects.contains { $0.hasPrefix("Subject: Job finished: noop ") })
            #expect(subjects.contains { $0.hasPrefix("Subject: Job failed: noop ") })
            #expect(jobMails.contains { Self.textPart(of: $0).contains("failing attempt 1 on purpose") })

            let reports = WeeklyReports(database: dependencies.database, mailer: dependencies.mailer)
            let nextWeek = Date().addingTimeInterval(7 * 86_400)
            #expect(try await reports.run(now: nextWeek) == 1, "only the account that opted in")
            #expect(try await reports.run(now: nextWeek) == 0, "once a week")
            try await JobQueueTests.withWorkers(dependencies) {
                try await JobQueueTests.waitUntil(30) { Self.outboxMessages(outbox).count >= 3 }
            }
            let report = try #require(Self.outboxMessages(outbox).first { $0.contains("Subject: Your Argus week") })
            let text = Self.textPart(of: report)
            #expect(text.contains("images processed   1"), "\(text)")
            #expect(text.contains("dog: 1"), "\(text)")
            #expect(text.contains("jobs finished      1") && text.contains("jobs failed        1"), "\(text)")
        }
    }

    static func outboxMessages(_ folder: URL) -> [String] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".eml") }
        return files.sorted().compactMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
    }

    /// The decoded text/plain part of a message Argus wrote.
    static func textPart(of message: String) -> String {
        guard
            let start = message.range(of: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        else { return "" }
        let rest = message[start.upperBound...]
        let encoded = rest.prefix { $0 != "-" }.replacingOccurrences(of: "\r\n", with: "")
        return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    @Test func brevoGetsTheMessageWithTheKeyAndItsRefusalsAreFinal() async throws {
        let received = Mutex<[(headers: HTTPFields, body: String)]>([])
        let answer = Atomic<Int>(201)
        let receiver = Router()
        receiver.post("/v3/smtp/email") { request, _ -> Response in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 20))
            received.withLock { $0.append((request.headers, body)) }
            return Response(
                status: .init(code: answer.load(ordering: .relaxed)),
                body: .init(byteBuffer: ByteBuffer(string: #"{"messageId":"<x@brevo>"}"#)))
        }
        let app = Application(router: receiver, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { receiverClient in
            var settings = BrevoSettings()
            settings.apiKey = "xkeysib-test"
            settings.url = "http://127.0.0.1:\(try #require(receiverClient.port))/v3/smtp/email"
            let transport = BrevoMailTransport(settings: settings)
            try await transport.send(Self.message())
            let (headers, body) = try #require(received.withLock { $0.first })
            #expect(headers[HTTPField.Name("api-key")!] == "xkeysib-test")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect((json["sender"] as? [String: Any])?["email"] as? String == "argus@example.com")
            #expect((json["to"] as? [[String: Any]])?.first?["name"] as? String == "Zoë Ångström")
            #expect(json["subject"] as? String == Self.message().subject)
            #expect((json["htmlContent"] as? String)?.contains("<b>Zoë</b>") == true)
            answer.store(401, ordering: .relaxed)
            let refused = await #expect(throws: MailDeliveryError.self) { try await transport.send(Self.message()) }
            #expect(refused?.permanent == true)
            answer.store(503, ordering: .relaxed)
            let outage = await #expect(throws: MailDeliveryError.self) { try await transport.send(Self.message()) }
            #expect(outage?.permanent == false)
        }
    }

    @Test func templateOverridesReplaceBuiltInsAndBrokenOnesStopTheStart() throws {
        let folder = try TestEnvironment.temporaryDirectory("templates")
        try "{{% CONTENT_TYPE: TEXT}}Hi {{name}} & welcome".write(
            to: folder.appendingPathComponent("welcome.subject.mustache"), atomically: true, encoding: .utf8)
        let templates = try MailTemplates(overridesDirectory: folder.path)
        let welcome = templates.render(.welcome, ["name": "Zoë <3", "public_url": "http://x", "email": "z@example.com"])
        #expect(welcome.subject == "Hi Zoë <3 & welcome")
        #expect(welcome.html.contains("Hello Zoë &lt;3,"), "HTML escapes what it is given")
        #expect(welcome.text.contains("Hello Zoë <3,"), "plain text does not")

        try "x".write(to: folder.appendingPathComponent("welcom.txt.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try MailTemplates(overridesDirectory: folder.path) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("welcom.txt.mustache"))
        try "{{#open}} never closed".write(
            to: folder.appendingPathComponent("welcome.txt.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try MailTemplates(overridesDirectory: folder.path) }
    }

    @Test func mailSettingsThatCannotWorkStopTheStart() throws {
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration(environment: ["ARGUS_MAIL_TRANSPORT": "brevo"])
        }
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration(environment: [
                "ARGUS_MAIL_TRANSPORT": "smtp", "ARGUS_SMTP_SECURITY": "none", "ARGUS_SMTP_USERNAME": "u",
            ])
        }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["ARGUS_PUBLIC_URL": "ftp://x"]) }
        let configuration = try ServerConfiguration(environment: ["ARGUS_MAIL_FROM": "not an address"])
        #expect(throws: ConfigurationError.self) { try Mailer(configuration: configuration) }
        let shown = try ServerConfiguration(environment: ["ARGUS_SMTP_PASSWORD": "hunter2", "ARGUS_HOST": "0.0.0.0"])
        #expect(shown.effectiveSettings.first { $0.name == "ARGUS_SMTP_PASSWORD" }?.value == "****")
        #expect(shown.publicURL == "http://127.0.0.1:8080")
    }
}
