import Foundation

/// An e-mail address with an optional display name, as it appears in `From:` and `To:`.
struct MailAddress: Sendable, Equatable, Codable {
    let email: String
    let name: String?

    /// Parses `user@example.com` or `Name <user@example.com>`; nil for anything else,
    /// including characters that would break an SMTP command or a header.
    init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let display = trimmed[..<open].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            self.init(email: address, name: display.isEmpty ? nil : display)
        } else {
            self.init(email: trimmed, name: nil)
        }
    }

    init?(email: String, name: String?) {
        let forbidden = CharacterSet(charactersIn: "<>()[],;:\\\"\r\n\t ")
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, email.count <= 254,
            email.unicodeScalars.allSatisfy({ !forbidden.contains($0) && $0.value >= 0x20 && $0.value != 0x7F })
        else { return nil }
        // A display name is one line of text; anything else is dropped rather than sent.
        let cleanName = name?.filter { !$0.isNewline && $0 != "\0" }.trimmingCharacters(in: .whitespaces)
        self.email = email
        self.name = (cleanName?.isEmpty ?? true) ? nil : cleanName
    }

    /// The header form: the name quoted or RFC 2047-encoded, then `<email>`.
    var header: String {
        guard let name else { return email }
        return "\(MIMEHeader.phrase(name)) <\(email)>"
    }
}

/// One message: plain text and HTML alternatives of the same content.
struct MailMessage: Sendable {
    var from: MailAddress
    var to: [MailAddress]
    var subject: String
    var text: String
    var html: String?
    var date = Date()
    /// `<random@domain-of-from>`: unique per message, kept across retries of its job.
    var messageId: String

    init(from: MailAddress, to: [MailAddress], subject: String, text: String, html: String?, messageId: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        let domain = from.email.split(separator: "@").last.map(String.init) ?? "localhost"
        self.messageId = messageId ?? "<\(UUID().lowercased)@\(domain)>"
    }

    /// The RFC 5322 message with CRLF line ends: headers, then a `multipart/alternative`
    /// body (or a single text part), each part base64-encoded so that no line is too long
    /// and any character survives every relay.
    func rendered(boundary: String = "argus-" + UUID().lowercased) -> String {
        var lines = [
            "From: \(from.header)",
            "To: \(to.map(\.header).joined(separator: ", "))",
            "Subject: \(MIMEHeader.text(subject))",
            "Date: \(MIMEHeader.date(date))",
            "Message-ID: \(messageId)",
            "MIME-Version: 1.0",
        ]
        if let html {
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines.append(contentsOf: Self.part(text, type: "text/plain"))
            lines.append("--\(boundary)")
            lines.append(contentsOf: Self.part(html, type: "text/html"))
            lines.append("--\(boundary)--")
        } else {
            lines.append(contentsOf: Self.part(text, type: "text/plain"))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func part(_ body: String, type: String) -> [String] {
        let normalised = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(normalised.utf8).base64EncodedString()
        // RFC 2045: base64 lines of at most 76 characters.
        let lines = stride(from: 0, to: encoded.count, by: 76).map { offset -> String in
            let start = encoded.index(encoded.startIndex, offsetBy: offset)
            return String(encoded[start..<(encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex)])
        }
        return ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""] + lines
    }
}

/// Header values as RFC 5322 and RFC 2047 want them.
enum MIMEHeader {
    /// Plain ASCII as it is; anything else as UTF-8 base64 encoded-words (each ≤ 75 characters).
    static func text(_ value: String) -> String {
        let oneLine = value.filter { !$0.isNewline }
        if oneLine.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) { return oneLine }
        var words: [String] = []
        var chunk = ""
        for character in oneLine {
            // 45 bytes of UTF-8 become 60 base64 characters: with "=?utf-8?B?" and "?=", 72.
            if chunk.utf8.count + String(character).utf8.count > 45 {
                words.append(encodedWord(chunk))
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    /// A display name: quoted when ASCII, encoded otherwise.
    static func phrase(_ name: String) -> String {
        if name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) {
            return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return text(name)
    }

    private static func encodedWord(_ text: String) -> String {
        "=?utf-8?B?" + Data(text.utf8).base64EncodedString() + "?="
    }

    /// RFC 5322 date, in UTC.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
