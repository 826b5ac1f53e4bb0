import NIOCore

/// A streaming multipart/form-data parser (RFC 7578 on RFC 2046 framing).
///
/// Bytes go in with `append` as they arrive; `next()` hands out what they complete:
/// a part's headers, slices of its body (never copied, never the whole body at once),
/// its end, and the end of the body. It holds back only bytes that may begin a boundary
/// (at most one delimiter's length), so memory stays flat whatever the body's size. Every limit is checked as the
/// bytes come, and every malformed input is a `MultipartError`, never a trap.
public struct MultipartParser {
    public enum Event: Equatable, Sendable {
        /// A part begins; its body follows as `.body` events.
        case partStart(MultipartPartHead)
        case body(ByteBuffer)
        case partEnd
        /// The closing boundary was read; anything after it (the epilogue) is ignored.
        case end
    }

    private enum State {
        case preamble
        /// Right after a delimiter: `--` closes the body, CRLF opens a part.
        case delimiterLine
        case headers
        case body
        case epilogue
        case done
    }

    /// CRLF "--" boundary: what ends a part's body.
    private let delimiter: [UInt8]
    private let limits: MultipartLimits
    private var pending: ByteBuffer
    private var state = State.preamble
    private var inputEnded = false
    private var receivedBytes = 0
    private var partCount = 0
    private var headerBytes = 0
    private var headerFields: [(name: String, value: String)] = []

    /// Whitespace RFC 2046 allows after a boundary ("transport padding"); any more is refused.
    private static let maxPadding = 64

    /// - Throws: `MultipartError.malformed` when the boundary is not 1-70 `bchars`.
    public init(boundary: String, limits: MultipartLimits) throws(MultipartError) {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count) else { throw .malformed("the boundary must be 1 to 70 characters long") }
        guard bytes.allSatisfy(HeaderCharacters.isBoundaryCharacter), bytes.last != 0x20 else {
            throw .malformed("the boundary holds characters RFC 2046 does not allow")
        }
        delimiter = Array("\r\n--".utf8) + bytes
        self.limits = limits
        // A virtual line break before the body lets its first boundary match like every other one.
        pending = ByteBuffer(bytes: [0x0D, 0x0A])
    }

    /// Feeds the next bytes of the body.
    /// - Throws: `MultipartError.bodyTooLarge` once the body passes its limit.
    public mutating func append(_ chunk: ByteBuffer) throws(MultipartError) {
        let (total, overflow) = receivedBytes.addingReportingOverflow(chunk.readableBytes)
        guard !overflow, total <= limits.maxBodyBytes else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
        receivedBytes = total
        switch state {
        case .epilogue, .done:
            return
        default:
            if pending.readableBytes == 0 {
                pending = chunk
            } else {
                // Move the few bytes held back to the front first: appending behind the
                // bytes already read would grow the buffer to the size of the whole body.
                pending.discardReadBytes()
                pending.writeImmutableBuffer(chunk)
            }
        }
    }

    /// Says that no more bytes will come: `next()` then reports a body that stops early.
    public mutating func finishInput() {
        inputEnded = true
    }

    /// The number of body bytes received so far.
    public var bytesReceived: Int { receivedBytes }

    /// The capacity of the parser's own buffer: about one chunk, whatever the body's size.
    public var retainedCapacity: Int { pending.capacity }

    /// The next event the bytes so far complete; nil when more bytes are needed (or
    /// after `.end`).
    /// - Throws: `MultipartError` for malformed framing, an early end or a broken limit.
    public mutating func next() throws(MultipartError) -> Event? {
        while true {
            switch state {
            case .preamble:
                if let index = firstIndex(of: delimiter) {
                    pending.moveReaderIndex(forwardBy: index + delimiter.count)
                    state = .delimiterLine
                    continue
                }
                // Only a possible beginning of the first delimiter is worth keeping.
                pending.moveReaderIndex(forwardBy: pending.readableBytes - partialDelimiterLength())
                if inputEnded { throw receivedBytes == 0 ? .truncated : .malformed("the body holds no boundary line") }
                return nil
            case .delimiterLine:
                guard pending.readableBytes >= 2 else { return try needMore() }
                if byte(at: 0) == UInt8(ascii: "-"), byte(at: 1) == UInt8(ascii: "-") {
                    state = .epilogue
                    pending.moveReaderIndex(forwardBy: pending.readableBytes)
                    return .end
                }
                var index = 0
                while index < pending.readableBytes, let byte = byte(at: index), byte == 0x20 || byte == 0x09 {
                    index += 1
                    guard index <= Self.maxPadding else { throw .malformed("a boundary line has too much trailing whitespace") }
                }
                guard index + 2 <= pending.readableBytes else { return try needMore() }
                guard byte(at: index) == 0x0D, byte(at: index + 1) == 0x0A else {
                    throw .malformed("a boundary line must end with CRLF (or '--' for the last one)")
                }
                pending.moveReaderIndex(forwardBy: index + 2)
                partCount += 1
                guard partCount <= limits.maxParts else { throw .tooManyParts(limit: limits.maxParts) }
                headerBytes = 0
                headerFields = []
                state = .headers
            case .headers:
                guard let lineEnd = firstIndex(of: [0x0D, 0x0A]) else {
                    guard headerBytes + pending.readableBytes <= limits.maxHeaderBytes else {
                        throw .headersTooLarge(limit: limits.maxHeaderBytes)
                    }
                    return try needMore()
                }
                headerBytes += lineEnd + 2
                guard headerBytes <= limits.maxHeaderBytes else { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
                let line = pending.readSlice(length: lineEnd) ?? ByteBuffer()
                pending.moveReaderIndex(forwardBy: 2)
                if line.readableBytes == 0 {
                    let head = try MultipartPartHead(fields: headerFields, limits: limits)
                    headerFields = []
                    state = .body
                    return .partStart(head)
                }
                headerFields.append(try Self.headerField(line))
            case .body:
                if let index = firstIndex(of: delimiter) {
                    if index > 0, let slice = pending.readSlice(length: index) { return .body(slice) }
                    pending.moveReaderIndex(forwardBy: delimiter.count)
                    state = .delimiterLine
                    return .partEnd
                }
                // Everything but a possible beginning of the delimiter is body. Usually
                // that is all of it, so the next chunk starts a buffer of its own (no copy).
                let safe = pending.readableBytes - partialDelimiterLength()
                if safe > 0, let slice = pending.readSlice(length: safe) { return .body(slice) }
                return try needMore()
            case .epilogue:
                state = .done
                return nil
            case .done:
                return nil
            }
        }
    }

    private func needMore() throws(MultipartError) -> Event? {
        if inputEnded { throw .truncated }
        return nil
    }

    private func byte(at offset: Int) -> UInt8? {
        pending.getInteger(at: pending.readerIndex + offset, as: UInt8.self)
    }

    /// The length of the longest end of the pending bytes that begins the delimiter:
    /// what must wait for the next chunk to tell body from boundary.
    private func partialDelimiterLength() -> Int {
        pending.withUnsafeReadableBytes { bytes -> Int in
            var length = min(bytes.count, delimiter.count - 1)
            while length > 0 {
                let start = bytes.count - length
                if bytes[start] == delimiter[0] {
                    var index = 1
                    while index < length, bytes[start + index] == delimiter[index] { index += 1 }
                    if index == length { return length }
                }
                length -= 1
            }
            return 0
        }
    }

    /// Where `needle` first starts in the pending bytes, relative to the reader index.
    private func firstIndex(of needle: [UInt8]) -> Int? {
        pending.withUnsafeReadableBytes { haystack -> Int? in
            guard let first = needle.first, haystack.count >= needle.count else { return nil }
            let last = haystack.count - needle.count
            var start = 0
            while start <= last {
                guard haystack[start] == first else {
                    start += 1
                    continue
                }
                var matched = 1
                while matched < needle.count, haystack[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return start }
                start += 1
            }
            return nil
        }
    }

    /// `name: value` with a token name; the value is trimmed and must be UTF-8 without
    /// control characters. Folded (obsolete) continuation lines are refused.
    private static func headerField(_ line: ByteBuffer) throws(MultipartError) -> (name: String, value: String) {
        let bytes = line.readableBytesView
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed("a part header line has no ':'") }
        let nameBytes = bytes[bytes.startIndex..<colon]
        guard !nameBytes.isEmpty, nameBytes.allSatisfy(HeaderCharacters.isTokenCharacter) else {
            throw .malformed("a part header name holds characters a header name cannot have")
        }
        var valueBytes = bytes[(colon + 1)...]
        guard valueBytes.allSatisfy(HeaderCharacters.isValueByte) else {
            throw .malformed("a part header value holds control characters")
        }
        while let first = valueBytes.first, first == 0x20 || first == 0x09 { valueBytes = valueBytes.dropFirst() }
        while let last = valueBytes.last, last == 0x20 || last == 0x09 { valueBytes = valueBytes.dropLast() }
        guard let value = String(validating: valueBytes, as: UTF8.self) else {
            throw .malformed("a part header value is not valid UTF-8")
        }
        return (String(decoding: nameBytes, as: UTF8.self), value)
    }

    /// The boundary of a `multipart/form-data` content type. Nil when the type is not
    /// multipart/form-data at all; a `MultipartError` when it is but its boundary is
    /// missing or unusable.
    public static func boundary(fromContentType contentType: String?) throws(MultipartError) -> String? {
        guard let contentType else { return nil }
        let parsed: ParameterizedHeaderValue
        do {
            parsed = try ParameterizedHeaderValue(parsing: contentType, header: "Content-Type")
        } catch {
            // Only a multipart type with broken parameters is ours to explain.
            guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
            throw error
        }
        guard parsed.type == "multipart/form-data" else { return nil }
        guard let boundary = parsed.parameters["boundary"], !boundary.isEmpty else {
            throw .malformed("the Content-Type has no boundary parameter")
        }
        return boundary
    }
}
