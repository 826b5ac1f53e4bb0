import ArgusServer
import NIOCore
import Testing

/// The streaming multipart parser on its own: parts come out byte for byte however the
/// body is cut into chunks, and every malformed body is a `MultipartError`.
@Suite struct MultipartParserTests {
    /// A part as the tests see it once parsed.
    struct Part: Equatable {
        var head: MultipartPartHead
        var body: [UInt8]
    }

    static let limits = MultipartLimits(maxBodyBytes: 1 << 24)

    /// Feeds `body` in chunks of `chunkSize` bytes (0: all at once) and collects the parts.
    static func parse(
        _ body: [UInt8], boundary: String, chunkSize: Int = 0, limits: MultipartLimits = limits
    ) throws(MultipartError) -> [Part] {
        var parser = try MultipartParser(boundary: boundary, limits: limits)
        var parts: [Part] = []
        var offset = 0
        var ended = false
        while !ended {
            while let event = try parser.next() {
                switch event {
                case .partStart(let head): parts.append(Part(head: head, body: []))
                case .body(let chunk): parts[parts.count - 1].body += chunk.readableBytesView
                case .partEnd: break
                case .end: ended = true
                }
            }
            guard !ended else { break }
            if offset < body.count {
                let end = chunkSize == 0 ? body.count : min(body.count, offset + chunkSize)
                try parser.append(ByteBuffer(bytes: body[offset..<end]))
                offset = end
            } else {
                parser.finishInput()
            }
        }
        return parts
    }

    static func error(_ body: [UInt8], boundary: String = "XX", limits: MultipartLimits = limits) -> MultipartError? {
        do {
            _ = try parse(body, boundary: boundary, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    /// Every byte value, and lines that look like the boundary without being it.
    static let binary: [UInt8] =
        Array(0...255) + Array("\r\n--XY\r\n--X\r\n-\r\n--X-X\r\r\n-".utf8) + Array(0...255).reversed() + [0x0D]

    static func body(boundary: String = "XX") -> [UInt8] {
        var bytes = Array("preamble to ignore\r\n--\(boundary)\r\n".utf8)
        bytes += Array("Content-Disposition: form-data; name=\"tasks\"\r\n\r\ndetect,circles\r\n--\(boundary)  \t\r\n".utf8)
        bytes += Array("content-disposition: form-data; name=\"image\"; filename=\"a \\\"b\\\"; c.jpg\"\r\n".utf8)
        bytes += Array("Content-Type: image/jpeg\r\nX-Other: ignored\r\n\r\n".utf8)
        bytes += binary
        bytes += Array(
            "\r\n--\(boundary)\r\nContent-Disposition: form-data; name=empty\r\n\r\n\r\n--\(boundary)--\r\nepilogue --\(boundary)\r\n"
                .utf8)
        return bytes
    }

    static let expected = [
        Part(head: MultipartPartHead(name: "tasks"), body: Array("detect,circles".utf8)),
        Part(head: MultipartPartHead(name: "image", filename: "a \"b\"; c.jpg", contentType: "image/jpeg"), body: binary),
        Part(head: MultipartPartHead(name: "empty"), body: []),
    ]

    @Test func partsComeOutByteForByteWhateverTheChunks() throws {
        let body = Self.body()
        for chunkSize in [0, 1, 2, 3, 5, 7, 64, body.count - 1] {
            #expect(try Self.parse(body, boundary: "XX", chunkSize: chunkSize) == Self.expected, "chunks of \(chunkSize)")
        }
    }

    /// A 16 MB file in 64 KiB chunks (cut so that a CR sits at the end of each): the parser
    /// holds about one chunk, never the body.
    @Test func memoryStaysFlatWhateverTheBodySize() throws {
        var parser = try MultipartParser(boundary: "XX", limits: MultipartLimits(maxBodyBytes: 1 << 26))
        var chunk = ByteBuffer(repeating: 0x61, count: 64 * 1024 - 1)
        chunk.writeInteger(UInt8(0x0D))
        try parser.append(ByteBuffer(string: "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n"))
        var received = 0
        var largest = 0
        for _ in 0..<256 {
            try parser.append(chunk)
            while let event = try parser.next() {
                if case .body(let bytes) = event { received += bytes.readableBytes }
            }
            largest = max(largest, parser.retainedCapacity)
        }
        try parser.append(ByteBuffer(string: "\n--XX--"))
        while let event = try parser.next() {
            if case .body(let bytes) = event { received += bytes.readableBytes }
        }
        // The last CR belongs to the closing delimiter.
        #expect(received == 256 * 64 * 1024 - 1)
        #expect(largest <= 256 * 1024, "the parser held \(largest) bytes")
    }

    @Test func aLongBoundaryAndAFirstBoundaryWithoutPreamble() throws {
        let boundary = String(repeating: "b", count: 70)
        let body = Array(Self.body(boundary: boundary).drop(while: { $0 != UInt8(ascii: "-") }))
        #expect(try Self.parse(body, boundary: boundary, chunkSize: 13) == Self.expected)
    }

    @Test func extendedFilenamesAndUnquotedValues() throws {
        let body = Array(
            "--XX\r\nContent-Disposition: form-data;name=file; filename*=UTF-8''caf%C3%A9.png;\r\n\r\nx\r\n--XX--".utf8)
        let parts = try Self.parse(body, boundary: "XX")
        #expect(parts == [Part(head: MultipartPartHead(name: "file", filename: "café.png"), body: [UInt8(ascii: "x")])])
    }

    /// The body that stopped the server with MultipartKit 4.7.1 (a byte >= 0x80 in a header name).
    @Test func theFortyByteCrashIsAnError() {
        let body: [UInt8] = Array("--XX\r\n".utf8) + [0xC2, 0x9B, 0xF1] + Array("\r\n\r\nab\r\n--XX--\r\n".utf8)
        #expect(Self.error(body) == .malformed("a part header line has no ':'"))
    }

    @Test func everyByteValueInPartHeadersIsAnError() {
        for byte in UInt8.min...UInt8.max {
            let name: [UInt8] = Array("X-".utf8) + [byte] + Array(": v\r\n".utf8)
            let value: [UInt8] = Array("X-Value: ".utf8) + [byte] + Array("\r\n".utf8)
            for header in [name, value] {
                let body =
                    Array("--XX\r\n".utf8) + header + Array("Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX--".utf8)
                // Allowed bytes parse; every other one is refused, none traps.
                _ = try? Self.parse(body, boundary: "XX", chunkSize: 3)
            }
        }
        let all: [UInt8] = Array("--XX\r\n".utf8) + Array(0...255) + Array(": v\r\n\r\nab\r\n--XX--".utf8)
        #expect(Self.error(all) != nil)
        let control: [UInt8] = Array("--XX\r\nX-A: a".utf8) + [0] + Array("b\r\n".utf8)
        #expect(
            Self.error(control + Array("Content-Disposition: form-data; name=a\r\n\r\n\r\n--XX--".utf8))
                == .malformed("a part header value holds control characters"))
    }

    @Test func limitsAreEnforcedWhileReading() {
        let megabyteHeader = Array("--XX\r\nX-Big: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        #expect(Self.error(megabyteHeader) == .headersTooLarge(limit: 8192))
        var manyParts = [UInt8]()
        for _ in 0..<100_000 { manyParts += Array("--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n".utf8) }
        manyParts += Array("--XX--".utf8)
        #expect(Self.error(manyParts) == .tooManyParts(limit: 32))
        #expect(Self.error(Self.body(), limits: MultipartLimits(maxBodyBytes: 100)) == .bodyTooLarge(limit: 100))
        let longName = Array(
            "--XX\r\nContent-Disposition: form-data; name=\"\(String(repeating: "n", count: 129))\"\r\n\r\n\r\n--XX--".utf8)
        #expect(Self.error(longName) == .malformed("a form field name is longer than 128 bytes"))
    }

    @Test func boundariesOutsideRFC2046AreRefused() {
        #expect(throws: MultipartError.malformed("the boundary must be 1 to 70 characters long")) {
            try MultipartParser(boundary: String(repeating: "b", count: 200), limits: Self.limits)
        }
        #expect(throws: MultipartError.self) { try MultipartParser(boundary: "", limits: Self.limits) }
        #expect(throws: MultipartError.self) { try MultipartParser(boundary: "a\u{0}b", limits: Self.limits) }
        #expect(throws: MultipartError.self) { try MultipartParser(boundary: "trailing ", limits: Self.limits) }
    }

    @Test func bodiesThatStopEarlyOrBreakTheFramingAreErrors() {
        let head = "--XX\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\n"
        let cases: [(String, String, MultipartError)] = [
            ("no closing boundary", head + "abc\r\n", .truncated),
            ("ends inside a part", head + "ab", .truncated),
            ("ends inside the headers", "--XX\r\nContent-Disposition: form-da", .truncated),
            ("ends after a boundary", "--XX", .truncated),
            ("no boundary at all", "just some text", .malformed("the body holds no boundary line")),
            (
                "text after a boundary", head + "a\r\n--XXY\r\n",
                .malformed("a boundary line must end with CRLF (or '--' for the last one)")
            ),
            (
                "no disposition", "--XX\r\nContent-Type: text/plain\r\n\r\na\r\n--XX--",
                .malformed("a part has no Content-Disposition header")
            ),
            (
                "not form-data", "--XX\r\nContent-Disposition: attachment; name=a\r\n\r\na\r\n--XX--",
                .malformed("a part's Content-Disposition must be form-data, not 'attachment'")
            ),
            (
                "no name", "--XX\r\nContent-Disposition: form-data; filename=a\r\n\r\na\r\n--XX--",
                .malformed("a part's Content-Disposition has no field name")
            ),
            (
                "unclosed quote", "--XX\r\nContent-Disposition: form-data; name=\"a\r\n\r\na\r\n--XX--",
                .malformed("a quoted value has no closing quote")
            ),
            (
                "folded header", "--XX\r\nContent-Disposition: form-data;\r\n\tname: a\r\n\r\na\r\n--XX--",
                .malformed("a part header name holds characters a header name cannot have")
            ),
            (
                "two dispositions",
                "--XX\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\n\r\n--XX--",
                .malformed("a part has two Content-Disposition headers")
            ),
        ]
        for (name, body, expected) in cases {
            #expect(Self.error(Array(body.utf8)) == expected, "\(name)")
        }
        #expect(Self.error([]) == .truncated)
    }
}
