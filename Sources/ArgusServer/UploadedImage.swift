import Hummingbird
import NIOCore

/// Reads the single file of a multipart upload, refusing oversized bodies before
/// reading them whole.
enum UploadedImage {
    static func read(from request: Request, field: String, maxBytes: Int) async throws -> ByteBuffer {
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
        return file.body
    }

    private static func tooLarge(_ maxBytes: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", message: "the upload exceeds the limit of \(maxBytes) bytes")
    }
}
