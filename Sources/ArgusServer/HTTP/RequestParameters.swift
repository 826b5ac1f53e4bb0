import Foundation
import Hummingbird

/// A route's options from its query string (and, for uploads, the form's text fields),
/// read one way everywhere: unknown names are refused (naming where they came from),
/// and each typed read checks its range and says what is allowed.
struct RequestParameters: Sendable {
    enum Source: Sendable {
        /// `parameters` of an Open Inference Protocol request; `message`: a live session's
        /// settings message.
        case query, form, inferenceParameter, message

        var noun: String {
            switch self {
            case .query: "query parameter"
            case .form: "form field"
            case .inferenceParameter: "request parameter"
            case .message: "setting"
            }
        }
    }

    private var values: [String: (value: String, source: Source)] = [:]

    /// The query string of `request`; names outside `allowed` answer 400.
    init(_ request: Request, allowed: Set<String>) throws(APIError) {
        for (name, value) in request.uri.queryParameters { values[String(name)] = (String(value), .query) }
        try checkNames(allowed)
    }

    init(_ fields: [String: String] = [:], source: Source) {
        for (name, value) in fields { values[name] = (value, source) }
    }

    /// `fields`, where names outside `allowed` answer 400.
    init(_ fields: [String: String], source: Source, allowed: Set<String>) throws(APIError) {
        self.init(fields, source: source)
        try checkNames(allowed)
    }

    /// Every name with its value.
    var fields: [String: String] { values.mapValues(\.value) }

    /// Adds the form's text fields; a name also in the query keeps the query's value.
    mutating func merge(formFields: [String: String], allowed: Set<String>) throws(APIError) {
        for (name, value) in formFields where values[name] == nil { values[name] = (value, .form) }
        try checkNames(allowed)
    }

    private func checkNames(_ allowed: Set<String>) throws(APIError) {
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }), let source = values[unknown]?.source {
            throw .badRequest("invalid_parameter", "unknown \(source.noun) '\(unknown)'")
        }
    }

    subscript(name: String) -> String? { values[name]?.value }

    /// A whole number within `range`, or `value` when absent.
    func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(APIError) -> Int {
        try integer(name, in: range) ?? value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = self[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badRequest(
                "invalid_parameter", "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// A finite number, within `range` when one is given.
    func number(_ name: String, in range: ClosedRange<Double>? = nil) throws(APIError) -> Double? {
        guard let text = self[name] else { return nil }
        guard let value = Double(text), value.isFinite, range?.contains(value) ?? true else {
            let allowed = range.map { "a number from \(Self.plain($0.lowerBound)) to \(Self.plain($0.upperBound))" } ?? "a number"
            throw .badRequest("invalid_parameter", "\(name) must be \(allowed), not '\(text)'")
        }
        return value
    }

    /// `true` or `false`, in any case.
    func boolean(_ name: String) throws(APIError) -> Bool? {
        guard let text = self[name] else { return nil }
        guard let value = Bool(text.lowercased()) else {
            throw .badRequest("invalid_parameter", "\(name) must be true or false, not '\(text)'")
        }
        return value
    }

    /// One of a closed set of words.
    func choice<Choice: RawRepresentable>(_ name: String, default value: Choice) throws(APIError) -> Choice
    where Choice.RawValue == String, Choice: CaseIterable {
        guard let text = self[name] else { return value }
        guard let choice = Choice(rawValue: text) else {
            let words = Choice.allCases.map(\.rawValue)
            throw .badRequest("invalid_parameter", "\(name) must be \(Self.list(words)), not '\(text)'")
        }
        return choice
    }

    /// RFC 3339 date-times (`2026-11-23T10:00:00Z`) or plain dates (`2026-11-23`, midnight UTC).
    func date(_ name: String) throws(APIError) -> Date? {
        guard let text = self[name] else { return nil }
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw .badRequest("invalid_parameter", "\(name) must be a date (2026-11-23) or date-time (2026-11-23T10:00:00Z)")
    }

    /// `1` rather than `1.0` in messages.
    private static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private static func list(_ words: [String]) -> String {
        words.count <= 1 ? words.joined() : words.dropLast().joined(separator: ", ") + " or " + words[words.count - 1]
    }
}
