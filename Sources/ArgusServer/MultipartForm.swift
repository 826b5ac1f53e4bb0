import Foundation
import MultipartKit
import NIOCore

/// One part of a multipart/form-data body.
struct FormPart {
    var name: String?
    var filename: String?
    var contentType: String?
    var body: ByteBuffer
}

/// Parses a whole multipart/form-data body into its parts.
enum MultipartForm {
    /// The boundary of a `multipart/form-data; boundary=...` content type, or nil.
    static func boundary(fromContentType contentType: String?) -> String? {
        guard let contentType else { return nil }
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = piece.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty || value.count > 200 ? nil : String(value)
        }
        return nil
    }

    static func parse(_ body: ByteBuffer, boundary: String) throws(APIError) -> [FormPart] {
        let parser = MultipartParser(boundary: boundary)
        var parts: [FormPart] = []
        var current = FormPart(body: ByteBuffer())
        parser.onHeader = { name, value in
            switch name.lowercased() {
            case "content-disposition":
                current.name = parameter("name", in: value)
                current.filename = parameter("filename", in: value)
            case "content-type":
                current.contentType = value
            default:
                break
            }
        }
        parser.onBody = { chunk in current.body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(current)
            current = FormPart(body: ByteBuffer())
        }
        do {
            try parser.execute(body)
        } catch {
            throw .badRequest("invalid_multipart", "the multipart body could not be parsed")
        }
        return parts
    }

    /// A `key="value"` (or unquoted) parameter of a Content-Disposition header.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(key + "=") else { continue }
            var value = trimmed.dropFirst(key.count + 1)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return String(value)
        }
        return nil
    }
}
