import Foundation
import Hummingbird
import NIOCore

/// The file of a multipart upload, its sanitised filename and the form's text fields.
struct Upload: Sendable {
    var bytes: [UInt8]
    var filename: String?
    var fields: [String: String]
}

/// Reads the single file of a multipart upload while the body streams in: the file's
/// bytes are copied once, into a buffer of their own, and every limit (the file, the
/// body, parts, headers, fields) is enforced as the bytes arrive.
enum UploadedImage {
    /// A text field's value, in bytes; form fields carry options, not data.
    static let maxFieldBytes = 4096

    static func read(from request: Request, field: String, maxBytes: Int) async throws -> Upload {
        let (files, fields) = try await readFiles(from: request, field: field, maxFiles: 1, maxBytes: maxBytes)
        guard let file = files.first else {
            throw APIError.badRequest("missing_file", "no file in the multipart field '\(field)'")
        }
        guard !file.bytes.isEmpty else { throw APIError.badRequest("empty_file", "the uploaded file is empty") }
        return Upload(bytes: file.bytes, filename: file.filename, fields: fields)
    }

    /// One file of a multipart upload, as sent (it may be empty).
    struct FilePart: Sendable {
        var bytes: [UInt8]
        var filename: String?
    }

    /// Every file of the field `field` (at most `maxFiles`, each at most `maxBytes`) and
    /// the form's text fields.
    static func readFiles(
        from request: Request, field: String, maxFiles: Int, maxBytes: Int
    ) async throws
        -> (files: [FilePart], fields: [String: String])
    {
        guard let boundary = try MultipartParser.boundary(fromContentType: request.headers[.contentType]) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: maxFiles == 1
                    ? "send the image as multipart/form-data in a field named '\(field)'"
                    : "send the images as multipart/form-data, each in a field named '\(field)'")
        }
        // Multipart framing adds a little to the files themselves.
        let bodyLimit = maxFiles * maxBytes + 64 * 1024
        let declaredLength = request.headers[.contentLength].flatMap(Int.init)
        if let declaredLength, declaredLength > bodyLimit { throw tooLarge(maxBytes) }
        do {
            return try await read(
                request.body, boundary: boundary, field: field, maxFiles: maxFiles, maxBytes: maxBytes, bodyLimit: bodyLimit,
                expectedBytes: declaredLength)
        } catch MultipartError.bodyTooLarge {
            throw tooLarge(maxBytes)
        }
    }

    private enum Destination {
        case file
        case field(String)
        case ignored
    }

    private static func read(
        _ body: Hummingbird.RequestBody, boundary: String, field: String, maxFiles: Int, maxBytes: Int, bodyLimit: Int,
        expectedBytes: Int?
    ) async throws -> (files: [FilePart], fields: [String: String]) {
        var reader = try MultipartReader(
            body: body, boundary: boundary, limits: MultipartLimits(maxBodyBytes: bodyLimit, maxParts: max(32, maxFiles + 32)))
        var files: [FilePart] = []
        var fields: [String: String] = [:]
        var value: [UInt8] = []
        var destination = Destination.ignored
        do {
            while let event = try await reader.next() {
                switch event {
                case .partStart(let head):
                    if head.name == field {
                        guard files.count < maxFiles else {
                            throw APIError.badRequest(
                                "too_many_files",
                                maxFiles == 1
                                    ? "send exactly one file in the field '\(field)'"
                                    : "send at most \(maxFiles) files in the field '\(field)'")
                        }
                        var bytes: [UInt8] = []
                        // A single file's declared length (already within the limit) sizes the buffer once.
                        if maxFiles == 1 { bytes.reserveCapacity(min(expectedBytes ?? 0, maxBytes)) }
                        files.append(FilePart(bytes: bytes, filename: try head.filename.flatMap(checkedFilename)))
                        destination = .file
                    } else if head.filename != nil {
                        // Other files are not ours to keep.
                        destination = .ignored
                    } else {
                        value.removeAll(keepingCapacity: true)
                        destination = .field(head.name)
                    }
                case .body(let chunk):
                    switch destination {
                    case .file:
                        guard files[files.count - 1].bytes.count + chunk.readableBytes <= maxBytes else {
                            throw tooLarge(maxBytes)
                        }
                        files[files.count - 1].bytes.append(contentsOf: chunk.readableBytesView)
                    case .field(let name):
                        guard value.count + chunk.readableBytes <= maxFieldBytes else {
                            throw APIError.badRequest(
                                "field_too_large", "the form field '\(name)' is longer than \(maxFieldBytes) bytes")
                        }
                        value.append(contentsOf: chunk.readableBytesView)
                    case .ignored:
                        break
                    }
                case .partEnd:
                    if case .field(let name) = destination {
                        guard let text = String(validating: value, as: UTF8.self) else {
                            throw APIError.badRequest("invalid_field", "the form field '\(name)' is not valid UTF-8 text")
                        }
                        fields[name] = text
                    }
                    destination = .ignored
                case .end:
                    break
                }
            }
        } catch MultipartError.truncated where reader.bytesReceived == 0 {
            throw APIError.badRequest("empty_body", "the request body is empty")
        }
        return (files, fields)
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
