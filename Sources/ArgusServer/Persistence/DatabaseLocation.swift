import Foundation

/// Where the data lives, from `ARGUS_DATABASE_URL`: a SQLite file (the default, under the
/// data directory) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// Accepts `sqlite:PATH`, `sqlite://PATH` (relative), `sqlite:///ABSOLUTE`,
    /// `postgres://...` and `postgresql://...`.
    public static func parse(_ text: String) -> DatabaseLocation? {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let url = URL(string: text), url.host != nil else { return nil }
            return .postgres(url: text)
        }
        for prefix in ["sqlite://", "sqlite:"] where text.hasPrefix(prefix) {
            let path = String(text.dropFirst(prefix.count))
            return path.isEmpty ? nil : .sqlite(path: path)
        }
        return nil
    }

    /// The URL with any password replaced by `****`, for logs and `argus config`.
    public var masked: String {
        switch self {
        case .sqlite(let path):
            return "sqlite://" + path
        case .postgres(let url):
            guard var components = URLComponents(string: url), components.password != nil else { return url }
            components.password = "****"
            return components.string ?? "postgres://****"
        }
    }

    public var kind: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }
}
