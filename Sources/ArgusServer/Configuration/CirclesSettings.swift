import Foundation

/// Which circle detector answers `POST /api/v1/circles` and the `circles` upload task.
public struct CirclesSettings: Sendable {
    public enum Backend: String, Sendable { case local, remote }

    public var backend = Backend.local
    /// The Open Inference Protocol server (KServe, Triton, MLServer), for `remote`.
    public var url: String?
    public var model = "circles"
    public var timeoutSeconds = 10

    public init() {}

    init(reader: EnvironmentReader) throws {
        if let text = reader.string("ARGUS_CIRCLES_BACKEND") {
            guard let parsed = Backend(rawValue: text.lowercased()) else {
                throw ConfigurationError(description: "ARGUS_CIRCLES_BACKEND=\(text) is invalid: use local or remote")
            }
            backend = parsed
        }
        url = reader.string("ARGUS_CIRCLES_URL")
        if let url, URL(string: url)?.host == nil || !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ConfigurationError(description: "ARGUS_CIRCLES_URL=\(url) is invalid: use http://HOST:PORT")
        }
        if backend == .remote && url == nil {
            throw ConfigurationError(description: "ARGUS_CIRCLES_BACKEND=remote needs ARGUS_CIRCLES_URL")
        }
        model = reader.string("ARGUS_CIRCLES_MODEL") ?? model
        timeoutSeconds = try reader.integer("ARGUS_CIRCLES_TIMEOUT", in: 1...300) ?? timeoutSeconds
    }
}
