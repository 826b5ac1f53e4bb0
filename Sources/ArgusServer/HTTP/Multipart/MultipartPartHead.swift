/// The headers of one form-data part that Argus acts on (RFC 7578 §4.2, §4.4).
public struct MultipartPartHead: Sendable, Equatable {
    /// The form field's name (`Content-Disposition: form-data; name=...`).
    public var name: String
    /// The client's filename, present for file parts; not yet checked for safety.
    public var filename: String?
    /// The part's `Content-Type`, as sent.
    public var contentType: String?

    public init(name: String, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }

    /// Builds the head from a part's header lines; every part must have a form-data
    /// disposition with a name.
    init(fields: [(name: String, value: String)], limits: MultipartLimits) throws(MultipartError) {
        var disposition: ParameterizedHeaderValue?
        var contentType: String?
        for field in fields {
            switch field.name.lowercased() {
            case "content-disposition":
                guard disposition == nil else { throw .malformed("a part has two Content-Disposition headers") }
                disposition = try ParameterizedHeaderValue(parsing: field.value, header: "Content-Disposition")
            case "content-type":
                guard contentType == nil else { throw .malformed("a part has two Content-Type headers") }
                contentType = field.value
            default:
                continue
            }
        }
        guard let disposition else { throw .malformed("a part has no Content-Disposition header") }
        guard disposition.type == "form-data" else {
            throw .malformed("a part's Content-Disposition must be form-data, not '\(disposition.type)'")
        }
        guard let name = disposition.parameters["name"], !name.isEmpty else {
            throw .malformed("a part's Content-Disposition has no field name")
        }
        guard name.utf8.count <= limits.maxNameBytes else {
            throw .malformed("a form field name is longer than \(limits.maxNameBytes) bytes")
        }
        let filename = disposition.parameters["filename"] ?? disposition.parameters["filename*"].flatMap(Self.extendedValue)
        self.init(name: name, filename: filename, contentType: contentType)
    }

    /// An RFC 8187 `UTF-8''percent%20encoded` value (RFC 7578 advises against it, some clients send it).
    static func extendedValue(_ raw: String) -> String? {
        let pieces = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        var bytes: [UInt8] = []
        var iterator = pieces[2].utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
