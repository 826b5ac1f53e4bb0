/// A header value made of a type and `;`-separated parameters, each a token or a quoted
/// string: `Content-Disposition` (RFC 6266) and `Content-Type` (RFC 9110 §8.3). The type
/// and parameter names are lower-cased; the first of a repeated name wins.
struct ParameterizedHeaderValue: Equatable {
    var type: String
    var parameters: [String: String]

    init(parsing value: String, header: String) throws(MultipartError) {
        var scanner = Scanner(Array(value.utf8))
        scanner.skipWhitespace()
        guard var type = scanner.token() else { throw .malformed("a \(header) has no type") }
        // A media type is `type/subtype`.
        if scanner.consume(UInt8(ascii: "/")) {
            guard let subtype = scanner.token() else { throw .malformed("a \(header) has no subtype") }
            type += "/" + subtype
        }
        self.type = type.lowercased()
        parameters = [:]
        while true {
            scanner.skipWhitespace()
            guard !scanner.atEnd else { break }
            guard scanner.consume(UInt8(ascii: ";")) else { throw .malformed("a \(header) parameter is not separated by ';'") }
            scanner.skipWhitespace()
            // Some clients end the list with a stray ';'.
            if scanner.atEnd { break }
            guard let name = scanner.token() else { throw .malformed("a \(header) parameter has no name") }
            scanner.skipWhitespace()
            guard scanner.consume(UInt8(ascii: "=")) else {
                throw .malformed("the parameter '\(name)' of a \(header) has no value")
            }
            scanner.skipWhitespace()
            let parsed: String
            if scanner.peek == UInt8(ascii: "\"") {
                parsed = try scanner.quotedString()
            } else if let token = scanner.token() {
                parsed = token
            } else {
                throw .malformed("the parameter '\(name)' of a \(header) has no value")
            }
            let key = name.lowercased()
            if parameters[key] == nil { parameters[key] = parsed }
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 { index += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func token() -> String? {
            let start = index
            while let byte = peek, HeaderCharacters.isTokenCharacter(byte) { index += 1 }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        /// `"..."` with `\x` quoted pairs; the value may hold UTF-8 (RFC 7578 §4.2).
        mutating func quotedString() throws(MultipartError) -> String {
            index += 1
            var value: [UInt8] = []
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: value, as: UTF8.self) else {
                        throw .malformed("a quoted value is not valid UTF-8")
                    }
                    return text
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { throw .malformed("a quoted value ends inside an escape") }
                    index += 1
                    value.append(escaped)
                default:
                    value.append(byte)
                }
            }
            throw .malformed("a quoted value has no closing quote")
        }
    }
}
