import Foundation

/// The one JSON style of every body the server writes: sorted keys, slashes as they
/// are (`"image/gif"`, not `"image\/gif"`), dates in RFC 3339 UTC (`…Z`).
enum JSONCoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// A string as a JSON string literal, for bodies written by hand (large tensors).
    static func quoted(_ text: String) -> String {
        (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}

extension UUID {
    /// The form every id takes in the API, its exports and its logs. Ids are accepted
    /// in either case (`UUID(uuidString:)` reads both).
    var lowercased: String { uuidString.lowercased() }
}
