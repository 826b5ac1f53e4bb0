import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// A JSON request body type, with the names of its fields.
protocol JSONRequestBody: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

/// Small request bodies (JSON and URL-encoded forms), refused past the route group's
/// limit (`BodyLimitMiddleware`) before they are read whole.
enum RequestBody {
    static func collect(_ request: Request, context: ArgusRequestContext) async throws -> ByteBuffer {
        let limit = context.maxUploadSize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge(limit) }
        var request = request
        return try await request.collectBody(upTo: limit)
    }

    static func json<T: JSONRequestBody>(_ type: T.Type, from request: Request, context: ArgusRequestContext) async throws -> T {
        try decodeJSON(type, from: try await collect(request, context: context))
    }

    /// Decodes a JSON object. A field the type does not know is refused (a misspelt
    /// field must not be silently ignored), and so is an explicit `null`: the API
    /// document gives every field a type, and absence, not null, means "unchanged".
    static func decodeJSON<T: JSONRequestBody>(_ type: T.Type, from body: ByteBuffer) throws -> T {
        guard body.readableBytes > 0 else {
            throw APIError.badRequest("invalid_json", "the request body is empty: send a JSON object")
        }
        let data = Data(buffer: body)
        if let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
            guard let fields = object as? [String: Any] else {
                throw APIError.badRequest("invalid_json", "the request body must be a JSON object")
            }
            let known = Set(T.CodingKeys.allCases.map(\.stringValue))
            if let name = fields.keys.sorted().first(where: { !known.contains($0) }) {
                throw APIError.badRequest("invalid_json", "unknown field '\(name)'")
            }
            if let name = fields.keys.sorted().first(where: { fields[$0] is NSNull }) {
                throw APIError.badRequest("invalid_json", "field '\(name)' must not be null: leave it out instead")
            }
        }
        return try JSONCoding.decoder.decode(type, from: data)
    }

    /// `application/x-www-form-urlencoded` fields (the last value of a repeated name wins).
    static func form(_ body: ByteBuffer) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func isJSON(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false
    }

    static func isForm(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
    }

    static func tooLarge(_ limit: Int) -> APIError { NIOTooManyBytesError(maxBytes: limit).apiError }
}
