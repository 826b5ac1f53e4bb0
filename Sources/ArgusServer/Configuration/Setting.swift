import Foundation

/// One `ARGUS_*` setting, declared once: its name, what it means, what it accepts, and
/// how it is read into and shown from a ``ServerConfiguration``. Parsing, `argus config`
/// and the table in `docs/configuration.md` are all made from these declarations.
public struct Setting: Sendable {
    public let name: String
    /// One line for the settings table.
    public let summary: String
    /// What a value may be, for the table ("0 to 65535", "`true` or `false`").
    public let accepts: String
    /// Secrets are never shown, only whether and where they are set.
    public let secret: Bool
    /// The default column when it is not simply the shown value of a default configuration.
    let defaultText: String?
    /// Applies a value (trimmed, never empty) to a configuration.
    let read: @Sendable (String, inout ServerConfiguration) throws(ConfigurationError) -> Void
    /// The effective value, nil when unset.
    let show: @Sendable (ServerConfiguration) -> String?

    /// What `argus config` prints for a setting with no value.
    public static let unsetText = "(unset)"

    /// The value a default configuration has, as the settings table shows it.
    public var defaultValue: String {
        defaultText ?? show(ServerConfiguration()).map { "`\($0)`" } ?? Self.unsetText
    }

    func invalid(_ value: String, _ expected: String) -> ConfigurationError {
        ConfigurationError(description: "\(name)=\(value) is invalid: \(expected)")
    }
}

extension Setting {
    typealias Path<Value> = WritableKeyPath<ServerConfiguration, Value> & Sendable

    static func text(_ name: String, _ path: Path<String>, _ summary: String) -> Setting {
        Setting(
            name: name, summary: summary, accepts: "text", secret: false, defaultText: nil,
            read: { value, configuration in configuration[keyPath: path] = value },
            show: { $0[keyPath: path] })
    }

    static func optionalText(_ name: String, _ path: Path<String?>, default: String, _ summary: String) -> Setting {
        Setting(
            name: name, summary: summary, accepts: "text", secret: false, defaultText: `default`,
            read: { value, configuration in configuration[keyPath: path] = value },
            show: { $0[keyPath: path] })
    }

    /// A secret: `argus config` shows only whether it is set.
    static func secretText(_ name: String, _ path: Path<String?>, _ summary: String) -> Setting {
        Setting(
            name: name, summary: summary, accepts: "text", secret: true, defaultText: nil,
            read: { value, configuration in configuration[keyPath: path] = value },
            show: { $0[keyPath: path] == nil ? nil : "****" })
    }

    static func integer(_ name: String, _ path: Path<Int>, in range: ClosedRange<Int>, _ summary: String) -> Setting {
        Setting(
            name: name, summary: summary, accepts: "\(range.lowerBound) to \(range.upperBound)", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                configuration[keyPath: path] = try parseInteger(name, value, in: range)
            },
            show: { String($0[keyPath: path]) })
    }

    /// A duration in whole seconds.
    static func seconds(_ name: String, _ path: Path<TimeInterval>, in range: ClosedRange<Int>, _ summary: String) -> Setting {
        Setting(
            name: name, summary: summary, accepts: "\(range.lowerBound) to \(range.upperBound) seconds", secret: false,
            defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                configuration[keyPath: path] = TimeInterval(try parseInteger(name, value, in: range))
            },
            show: { String(Int($0[keyPath: path])) })
    }

    static func boolean(_ name: String, _ path: Path<Bool>, _ summary: String) -> Setting {
        Setting(
            name: name, summary: summary, accepts: "a boolean", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                switch value.lowercased() {
                case "true", "1", "yes", "on": configuration[keyPath: path] = true
                case "false", "0", "no", "off": configuration[keyPath: path] = false
                default: throw ConfigurationError(description: "\(name)=\(value) is invalid: use true or false")
                }
            },
            show: { String($0[keyPath: path]) })
    }

    /// A token bucket, `N/second|minute|hour`, or `off`.
    static func rateLimit(_ name: String, _ path: Path<RateLimit?>, _ summary: String) -> Setting {
        Setting(
            name: name, summary: summary, accepts: "`N/second`, `N/minute`, `N/hour` or `off`", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                guard let parsed = RateLimit.parse(value) else {
                    throw ConfigurationError(description: "\(name)=\(value) is invalid: use N/second, N/minute, N/hour or off")
                }
                configuration[keyPath: path] = parsed
            },
            show: { $0[keyPath: path]?.description ?? "off" })
    }

    /// One word of a closed set, in any case.
    static func choice<Choice>(_ name: String, _ path: Path<Choice>, _ summary: String) -> Setting
    where Choice: RawRepresentable & CaseIterable & Sendable, Choice.RawValue == String {
        let words = Choice.allCases.map(\.rawValue)
        return Setting(
            name: name, summary: summary, accepts: Self.list(words.map { "`\($0)`" }), secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                guard let parsed = Choice(rawValue: value.lowercased()) else {
                    throw ConfigurationError(description: "\(name)=\(value) is invalid: use \(Self.list(words))")
                }
                configuration[keyPath: path] = parsed
            },
            show: { $0[keyPath: path].rawValue })
    }

    static func parseInteger(_ name: String, _ value: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw ConfigurationError(
                description: "\(name)=\(value) is invalid: expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func list(_ words: [String]) -> String {
        words.count <= 1 ? words.joined() : words.dropLast().joined(separator: ", ") + " or " + words[words.count - 1]
    }
}
