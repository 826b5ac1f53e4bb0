import Foundation
import Hummingbird
import NIOCore

/// Reads a video upload (multipart/form-data, the file in the field `file`) while the body
/// streams in, writing the file to disk as it arrives: memory stays flat whatever its size.
/// The form's text fields are kept for the settings.
struct VideoUpload {
    /// Where the file was written (in VideoFiles' `incoming/`), its size and name.
    let path: String
    let byteSize: Int
    let filename: String?
    let fields: [String: String]

    /// A text field's value, in bytes (zones are the longest).
    static let maxFieldBytes = 64 * 1024

    /// - Throws: APIError (400, 413, 415); the partial file is removed.
    static func read(_ request: Request, into path: String, maxBytes: Int) async throws -> VideoUpload {
        guard let boundary = try MultipartParser.boundary(fromContentType: request.headers[.contentType]) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the video as multipart/form-data in a field named 'file'")
        }
        let bodyLimit = maxBytes + 256 * 1024
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > bodyLimit { throw tooLarge(maxBytes) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw APIError(.internalServerError, code: "storage_failed", message: "the video cannot be stored")
        }
        defer { try? handle.close() }
        var reader = try MultipartReader(
            body: request.body, boundary: boundary, limits: MultipartLimits(maxBodyBytes: bodyLimit, maxParts: 64))
        var fields: [String: String] = [:]
        var value: [UInt8] = []
        var field: String?
        var inFile = false
        var files = 0
        var written = 0
        var filename: String?
        do {
            while let event = try await reader.next() {
                switch event {
                case .partStart(let head):
                    field = nil
                    inFile = false
                    if head.name == "file" {
                        files += 1
                        guard files == 1 else {
                            throw APIError.badRequest("too_many_files", "send exactly one file in the field 'file'")
                        }
                        filename = try head.filename.flatMap(UploadedImage.checkedFilename)
                        inFile = true
                    } else if head.filename == nil {
                        value.removeAll(keepingCapacity: true)
                        field = head.name
                    }
                case .body(let chunk):
                    if inFile {
                        guard written + chunk.readableBytes <= maxBytes else { throw tooLarge(maxBytes) }
                        try handle.write(contentsOf: chunk.readableBytesView)
                        written += chunk.readableBytes
                    } else if let name = field {
                        guard value.count + chunk.readableBytes <= maxFieldBytes else {
                            throw APIError.badRequest(
                                "field_too_large", "the form field '\(name)' is longer than \(maxFieldBytes) bytes")
                        }
                        value.append(contentsOf: chunk.readableBytesView)
                    }
                case .partEnd:
                    if let name = field {
                        guard let text = String(validating: value, as: UTF8.self) else {
                            throw APIError.badRequest("invalid_field", "the form field '\(name)' is not valid UTF-8 text")
                        }
                        fields[name] = text
                    }
                    field = nil
                    inFile = false
                case .end:
                    break
                }
            }
        } catch MultipartError.truncated where reader.bytesReceived == 0 {
            throw APIError.badRequest("empty_body", "the request body is empty")
        } catch MultipartError.bodyTooLarge {
            throw tooLarge(maxBytes)
        }
        guard files == 1 else { throw APIError.badRequest("missing_file", "no file in the multipart field 'file'") }
        return VideoUpload(path: path, byteSize: written, filename: filename, fields: fields)
    }

    private static func tooLarge(_ maxBytes: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", message: "the video exceeds the limit of \(maxBytes) bytes")
    }
}
