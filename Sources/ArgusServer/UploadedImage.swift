import Hummingbird
import NIOCore

/// The file of a multipart upload, its sanitised filename and the form's text fields.
struct Upload {
    var bytes: ByteBuffer
    var filename: String?
    var fields: [String: String]
}

/// Reads the single file of a multipart upload, refusing oversized bodies before
/// reading them whole.
enum UploadedImage {
    static func read(from request: Request, field: String, maxBytes: Int) async throws -> Upload {
        guard let boundary = MultipartForm.boundary(fromContentType: request.headers[.contentType]) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the image as multipart/form-data in a field named '\(field)'")
        }
        // Multipart framing adds a little to the file itself.
        let bodyLimit = maxBytes + 64 * 1024
        if let length = request.headers[.contentLength].flatMap(Int.init), length > bodyLimit {
            throw tooLarge(maxBytes)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(maxBytes)
        }
        guard body.readableBytes > 0 else { throw APIError.badRequest("empty_body", "the request body is empty") }
        let parts = try MultipartForm.parse(body, boundary: boundary)
        let files = parts.filter { $0.name == field }
        guard let file = files.first else {
            throw APIError.badRequest("missing_file", "no file in the multipart field '\(field)'")
        }
        guard files.count == 1 else {
            throw APIError.badRequest("too_many_files", "send exactly one file in the field '\(field)'")
        }
        guard file.body.readableBytes > 0 else { throw APIError.badRequest("empty_file", "the uploaded file is empty") }
        guard file.body.readableBytes <= maxBytes else { throw tooLarge(maxBytes) }
        var fields: [String: String] = [:]
        for part in parts where part.name != field && part.filename == nil && part.body.readableBytes <= 4096 {
            if let name = part.name { fields[name] = String(buffer: part.body) }
        }
        return Upload(bytes: file.body, filename: try file.filename.flatMap(checkedFilename), fields: fields)
    }

    /// The client's filename, kept for display: refused (400) when it holds a path
    /// separator, `..`, or control characters such as NUL, rather than guessed at.
    static func checkedFilename(_ raw: String) throws -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        let unsafe = trimmed.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "/" || $0 == "\\" }
        guard !unsafe, trimmed != ".", trimmed != "..", trimmed.count <= 255 else {
            throw APIError.badRequest(
                "invalid_filename", "the filename must be a plain name (no path, no control characters, at most 255 characters)")
        }
        return trimmed
    }

    private static func tooLarge(_ maxBytes: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", message: "the upload exceeds the limit of \(maxBytes) bytes")
    }
}
