/// A JSON body that does not match its request type, named by the field at fault.
extension DecodingError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .keyNotFound(let key, _):
            return .badRequest("invalid_json", "missing field '\(key.stringValue)'")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return .badRequest("invalid_json", "field '\(Self.path(context))' has the wrong type")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .badRequest("invalid_json", "field '\(Self.path(context))' is invalid: \(context.debugDescription)")
        default:
            return .badRequest("invalid_json", "the request body is not valid JSON")
        }
    }

    private static func path(_ context: Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
}
