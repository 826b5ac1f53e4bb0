import Foundation

/// The optional settings file (`ARGUS_CONFIG_FILE`): one `ARGUS_NAME=value` per line,
/// `#` comments and blank lines ignored, values optionally in double quotes.
enum ConfigurationFile {
    static func read(_ path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(description: "ARGUS_CONFIG_FILE=\(path) cannot be read")
        }
        var settings: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, name.hasPrefix("ARGUS_"), name != "ARGUS_CONFIG_FILE" else {
                throw ConfigurationError(
                    description: "ARGUS_CONFIG_FILE=\(path) line \(index + 1): expected ARGUS_NAME=value")
            }
            var value = parts[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            settings[name] = value
        }
        return settings
    }
}
