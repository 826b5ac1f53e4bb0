import Foundation

/// JSON lines (one compact object per line), the one way Argus writes them: the CLI's
/// `--format jsonl` and the detections export. Keys sorted, slashes unescaped, dates in
/// RFC 3339 UTC.
public enum JSONLines {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// One value as one line, newline included.
    public static func line(_ value: some Encodable, encoder: JSONEncoder = encoder) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
