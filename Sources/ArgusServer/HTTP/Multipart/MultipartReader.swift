import Hummingbird
import NIOCore

/// Reads a multipart/form-data request body as it arrives: the streaming parser fed
/// from the request's body stream, one event at a time.
struct MultipartReader {
    private var source: Hummingbird.RequestBody.AsyncIterator
    private var parser: MultipartParser
    private var finished = false

    /// - Throws: `MultipartError.malformed` for a boundary RFC 2046 does not allow.
    init(body: Hummingbird.RequestBody, boundary: String, limits: MultipartLimits) throws(MultipartError) {
        source = body.makeAsyncIterator()
        parser = try MultipartParser(boundary: boundary, limits: limits)
    }

    /// The body bytes read so far.
    var bytesReceived: Int { parser.bytesReceived }

    /// The next event, or nil after `.end`.
    /// - Throws: `MultipartError`, or the body stream's own error when the client goes away.
    mutating func next() async throws -> MultipartParser.Event? {
        while true {
            if let event = try parser.next() {
                if event == .end { finished = true }
                return event
            }
            if finished { return nil }
            if let chunk = try await source.next() {
                try parser.append(chunk)
            } else {
                parser.finishInput()
            }
        }
    }
}
