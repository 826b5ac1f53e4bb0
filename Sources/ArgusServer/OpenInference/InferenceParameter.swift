/// A request or tensor parameter: the protocol allows a boolean, a number or a string.
enum InferenceParameter: Decodable, Sendable, Hashable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? value.decode(Int64.self) {
            self = .int(int)
        } else if let double = try? value.decode(Double.self) {
            self = .double(double)
        } else {
            self = .string(try value.decode(String.self))
        }
    }

    /// As a number, where it is one (or a string that reads as one, as some clients send).
    var number: Double? {
        switch self {
        case .bool: nil
        case .int(let value): Double(value)
        case .double(let value): value
        case .string(let text): Double(text.trimmingCharacters(in: .whitespaces))
        }
    }

    var bool: Bool? {
        switch self {
        case .bool(let value): value
        case .string(let text): ["true": true, "false": false][text.lowercased()]
        default: nil
        }
    }
}
