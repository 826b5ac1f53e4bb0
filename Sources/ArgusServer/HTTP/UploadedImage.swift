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
        guard let boundary = try MultipartParser.boundary(fromContentType: request.headers[.contentType]) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the image as multipart/form-data in a field named '\(field)'")
        }
        // Multipart framing adds a little to the file itself.
        let bodyLimit = maxBytes + 64 * 1024
        let declaredLength = request.headers[.contentLength].flatMap(Int.init)
        if let declaredLength, declaredLength > bodyLimit { throw tooLarge(maxBytes) }
        do {
            return try await read(
                request.body, boundary: boundary, field: field, maxBytes: maxBytes, bodyLimit: bodyLimit,
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
        _ body: Hummingbird.RequestBody, boundary: String, field: String, maxBytes: Int, bodyLimit: Int, expectedBytes: Int?
    ) async throws -> Upload {
        var reader = try MultipartReader(body: body, boundary: boundary, limits: MultipartLimits(maxBodyBytes: bodyLimit))
        var file: [UInt8]?
        var filename: String?
        var fields: [String: String] = [:]
        var value: [UInt8] = []
        var destination = Destination.ignored
        do {
            while let event = try await reader.next() {
                switch event {
                case .partStart(let head):
                    if head.name == field {
                        guard file == nil else {
                            throw APIError.badRequest("too_many_files", "send exactly one file in the field '\(field)'")
                        }
                        var bytes: [UInt8] = []
                        // The declared length (already within the limit) sizes the buffer once.
                        bytes.reserveCapacity(min(expectedBytes ?? 0, maxBytes))
                        file = bytes
                        filename = try head.filename.flatMap(checkedFilename)
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
                        guard (file?.count ?? 0) + chunk.readableBytes <= maxBytes else { throw tooLarge(maxBytes) }
                        file?.append(contentsOf: chunk.readableBytesView)
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
        guard let file else { throw APIError.badRequest("missing_file", "no file in the multipart field '\(field)'") }
        guard !file.isEmpty else { throw APIError.badRequest("empty_file", "the uploaded file is empty") }
        return Upload(bytes: file, filename: filename, fields: fields)
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
