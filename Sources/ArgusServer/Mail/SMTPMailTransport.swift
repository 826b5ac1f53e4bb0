import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

/// Sends through an SMTP server (RFC 5321): STARTTLS on the submission port (587) or TLS
/// from the first byte (465), then AUTH PLAIN or LOGIN when credentials are set. One
/// connection per message: mail is rare, and a held connection would only go stale.
struct SMTPMailTransport: MailTransport {
    let settings: SMTPSettings
    let tls: NIOSSLContext?

    init(settings: SMTPSettings) throws {
        self.settings = settings
        guard settings.security != .none else {
            tls = nil
            return
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile = settings.caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        tls = try NIOSSLContext(configuration: configuration)
    }

    var name: String { "smtp \(settings.host):\(settings.effectivePort) (\(settings.security.rawValue))" }

    func send(_ message: MailMessage) async throws {
        let host = settings.host
        let port = settings.effectivePort
        let implicitTLS = settings.security == .tls ? tls : nil
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(Int64(settings.timeoutSeconds)))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: implicitTLS, serverHostname: Self.sniName(host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw MailDeliveryError.transient("cannot connect to the SMTP server \(host):\(port): \(error)")
        }
        // One deadline for the whole conversation: closing the channel ends any read.
        let deadline = channel.channel.eventLoop.scheduleTask(in: .seconds(Int64(settings.timeoutSeconds))) {
            channel.channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(
                    lines: inbound.makeAsyncIterator(), outbound: outbound, channel: channel.channel, settings: settings,
                    tls: tls)
                try await session.deliver(message)
            }
        } catch let error as MailDeliveryError {
            throw error
        } catch {
            throw MailDeliveryError.transient("the SMTP conversation with \(host):\(port) failed: \(error)")
        }
    }

    /// SNI takes names only; for an address literal the certificate is checked against the address.
    static func sniName(_ host: String) -> String? {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 || inet_pton(AF_INET6, host, &ipv6) == 1 { return nil }
        return host
    }
}

/// One SMTP conversation over an open connection.
private struct SMTPSession {
    var lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let channel: any Channel
    let settings: SMTPSettings
    let tls: NIOSSLContext?
    var secured: Bool

    init(
        lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel, settings: SMTPSettings, tls: NIOSSLContext?
    ) {
        self.lines = lines
        self.outbound = outbound
        self.channel = channel
        self.settings = settings
        self.tls = tls
        secured = settings.security == .tls
    }

    /// A reply: its code and its text lines (`250-SIZE`, `250 HELP` → 250, ["SIZE", "HELP"]).
    struct Reply {
        let code: Int
        let lines: [String]
        var text: String { lines.joined(separator: " ") }
    }

    mutating func deliver(_ message: MailMessage) async throws {
        try expect(await reply(), 220, "greeting")
        var capabilities = try await hello()
        if settings.security == .starttls {
            guard capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) else {
                throw MailDeliveryError.permanent(
                    "the SMTP server does not offer STARTTLS; set ARGUS_SMTP_SECURITY=tls or none if that is intended")
            }
            try expect(await command("STARTTLS"), 220, "STARTTLS")
            guard let tls else { throw MailDeliveryError.permanent("no TLS configuration") }
            let serverName = SMTPMailTransport.sniName(settings.host)
            let channel = self.channel
            // Made and added on the channel's loop: a handler never crosses threads.
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: tls, serverHostname: serverName), position: .first)
            }.get()
            secured = true
            // RFC 3207: everything learnt before TLS is forgotten.
            capabilities = try await hello()
        }
        if let username = settings.username {
            try await authenticate(username: username, password: settings.password ?? "", capabilities: capabilities)
        }
        try expect(await command("MAIL FROM:<\(message.from.email)>"), 250, "MAIL FROM")
        for recipient in message.to {
            try expect(await command("RCPT TO:<\(recipient.email)>"), 250, "RCPT TO <\(recipient.email)>", alsoOK: [251])
        }
        try expect(await command("DATA"), 354, "DATA")
        try await write(Self.dotStuffed(message.rendered()) + ".\r\n")
        try expect(await reply(), 250, "the message")
        _ = try? await command("QUIT")
    }

    /// EHLO, and the capabilities the server lists.
    mutating func hello() async throws -> [String] {
        let answer = try await command("EHLO \(Self.clientName)")
        try expect(answer, 250, "EHLO")
        return Array(answer.lines.dropFirst())
    }

    mutating func authenticate(username: String, password: String, capabilities: [String]) async throws {
        guard secured else {
            throw MailDeliveryError.permanent("refusing to send the SMTP password over a connection without TLS")
        }
        let mechanisms =
            capabilities.first { $0.uppercased().hasPrefix("AUTH") }
            .map { $0.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" }).dropFirst().map(String.init) } ?? []
        if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            try expect(await command("AUTH PLAIN \(token)"), 235, "AUTH PLAIN")
        } else {
            try expect(await command("AUTH LOGIN"), 334, "AUTH LOGIN")
            try expect(await command(Data(username.utf8).base64EncodedString()), 334, "AUTH LOGIN user name")
            try expect(await command(Data(password.utf8).base64EncodedString()), 235, "AUTH LOGIN password")
        }
    }

    mutating func command(_ line: String) async throws -> Reply {
        try await write(line + "\r\n")
        return try await reply()
    }

    func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    mutating func reply() async throws -> Reply {
        var texts: [String] = []
        while true {
            guard var buffer = try await lines.next() else {
                throw MailDeliveryError.transient("the SMTP server closed the connection (or it timed out)")
            }
            let line = (buffer.readString(length: buffer.readableBytes) ?? "").trimmingCharacters(in: .newlines)
            guard line.count >= 3, let code = Int(line.prefix(3)) else {
                throw MailDeliveryError.transient("the SMTP server sent a malformed reply: \(line.prefix(200))")
            }
            texts.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return Reply(code: code, lines: texts) }
        }
    }

    /// 4xx replies are worth retrying; 5xx are final (RFC 5321 §4.2.1).
    func expect(_ reply: Reply, _ code: Int, _ step: String, alsoOK: [Int] = []) throws {
        guard reply.code != code, !alsoOK.contains(reply.code) else { return }
        let text = "the SMTP server refused \(step): \(reply.code) \(reply.text.prefix(300))"
        throw (500..<600).contains(reply.code) ? MailDeliveryError.permanent(text) : MailDeliveryError.transient(text)
    }

    /// RFC 5321 §4.5.2: a line that starts with a dot gets a second one.
    static func dotStuffed(_ text: String) -> String {
        text.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
    }

    /// The name EHLO gives: this machine's, when it is a plausible domain.
    static let clientName: String = {
        let host = ProcessInfo.processInfo.hostName
        return host.isEmpty || host.contains(" ") ? "localhost" : host
    }()
}
