import Foundation
import Logging
import Synchronization

/// Writes each log event as one JSON object per line on standard error:
/// `{"ts","level","label","message", ...metadata}`. Secrets never reach it: callers log
/// ids and sizes, not tokens or bodies.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let label: String

    /// One lock for the process so lines from concurrent requests never interleave.
    private static let output = Mutex(())

    public init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "ts": Date().formatted(Self.timestamp),
            "level": event.level.rawValue, "label": label, "message": event.message.description,
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged {
            let name = key == "hb.request.id" ? "request_id" : key
            if fields[name] == nil { fields[name] = Self.json(value) }
        }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        Self.output.withLock { _ in
            FileHandle.standardError.write(data + Data("\n".utf8))
        }
    }

    /// RFC 3339 in UTC with milliseconds: `2026-12-01T11:02:03.456Z`.
    static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Numbers stay numbers so log queries can compare them.
    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let number as Int): number
        case .stringConvertible(let number as Double): number
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}
