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

    /// The boundary of a `multipart/form-data` content type. Nil when the type is not
    /// multipart/form-data at all; a `MultipartError` when it is but its boundary is
    /// missing or unusable.
    static func boundary(fromContentType contentType: String?) throws(MultipartError) -> String? {
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
