import ArgusVision
import Foundation
import Logging

/// A setting that could not be understood; the message names it.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Everything `argus serve` reads from `ARGUS_*` environment variables.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "data"
    public var modelsDirectory = "models"
    public var defaultModel = ModelCatalogue.defaultDetector
    /// Deadlines for slow clients: request head, request body, keep-alive idle.
    public var httpTimeouts = HTTPTimeouts()
    /// Largest request body accepted by upload routes, in bytes.
    public var maxUploadBytes = 10 * 1024 * 1024
    /// Largest video upload in bytes, and its longest duration in seconds.
    public var videoMaxBytes = VideoLimits.default.maxBytes
    public var videoMaxSeconds = Int(VideoLimits.default.maxDuration)
    /// Largest picture accepted, either way round (a portrait video fits a landscape limit).
    public var videoMaxWidth = VideoLimits.default.maxWidth
    public var videoMaxHeight = VideoLimits.default.maxHeight
    /// What a video may be (size, duration, resolution, frames), checked before it is stored.
    public var videoLimits: VideoLimits {
        var limits = VideoLimits.default
        limits.maxBytes = videoMaxBytes
        limits.maxDuration = Double(videoMaxSeconds)
        limits.maxWidth = videoMaxWidth
        limits.maxHeight = videoMaxHeight
        // At most the source's frame rate of 60 for the longest accepted video.
        limits.maxFrames = max(limits.maxFrames, videoMaxSeconds * 60)
        return limits
    }
    /// Live detection over `GET /api/v1/live`: open sessions at most (0 turns it off),
    /// seconds without a message before a session is closed, and the largest frame.
    public var live = LiveSettings()
    /// Upright width and height accepted, checked from the header before decoding.
    public var imageLimits = ImageLimits(minWidth: 32, minHeight: 32, maxWidth: 8192, maxHeight: 8192)
    /// Inference jobs running at once (nil: the cores ÷ `inferenceThreads`), jobs allowed
    /// to wait for a slot, and how long one may wait.
    public var inferenceConcurrency: Int?
    public var inferenceQueue = 256
    public var inferenceMaxWaitSeconds: TimeInterval = 3
    /// Threads one inference may use (0: ONNX Runtime's choice, one per core).
    public var inferenceThreads = 1
    public var ortLibrary: String?
    public var executionProvider = ExecutionProvider.cpu
    /// Swagger UI's files for `/docs` (installed by setup).
    public var docsAssetsDirectory = ".deps/swagger-ui"
    public var rateLimits = RateLimits()
    /// Origins allowed to call the API from a browser; empty: no CORS headers at all.
    public var corsOrigins: [String] = []
    public var logLevel = Logger.Level.info
    public var logFormat = LogFormat.json
    /// `ARGUS_DATABASE_URL`; nil: the SQLite file `<data>/argus.sqlite`.
    public var databaseURL: DatabaseLocation?
    /// PostgreSQL connections per event loop.
    public var databasePoolSize = 4
    public var jwtSecret: String?
    public var jwtSecretFile: String?
    public var accounts = AccountSettings()
    /// Largest JSON or form body on the non-upload routes.
    public var maxJSONBytes = 64 * 1024
    /// Where uploaded files are kept; nil: `<data>/storage`.
    public var storageDirectory: String?
    /// How long a signed `/files/{token}` link works.
    public var signedURLLifetime: TimeInterval = 3600
    public var circles = CirclesSettings()
    public var background = BackgroundRemovalSettings()
    public var worker = WorkerSettings()
    /// The most images one `POST /detect/batch` may hold.
    public var batchMaxImages = 100
    /// Whether the compatibility APIs (`/v1/vision`, `/v2`) take calls without a credential.
    public var compatAnonymous = false
    /// The largest `POST /v2/models/{name}/infer` body.
    public var inferMaxBytes = 32 * 1024 * 1024
    /// Lets webhooks reach private, loopback and link-local addresses.
    public var webhookAllowPrivate = false
    /// Images and their results are deleted after this many days; 0 keeps them.
    public var retentionDays = 0
    /// `ARGUS_SEARCH_INDEX`.
    public var searchIndex = SearchIndexChoice.auto
    /// Finished jobs (done, dead, cancelled) are deleted after this many days.
    public var jobRetentionDays = 14
    public var mail = MailSettings()
    /// `ARGUS_PUBLIC_URL`, without a trailing slash.
    public var publicURLOverride: String?
    /// The file the settings were read from, if any (`ARGUS_CONFIG_FILE`).
    public var configFile: String?

    public var storagePath: String { storageDirectory ?? dataDirectory + "/storage" }
    /// Derived images (annotated, thumbnails), rebuilt on demand.
    public var cachePath: String { dataDirectory + "/cache" }
    public var outboxPath: String { mail.outboxDirectory ?? dataDirectory + "/outbox" }
    /// Where the links in e-mails point.
    public var publicURL: String {
        if let publicURLOverride { return publicURLOverride }
        // A server on every interface is reached through one of them; the loopback one is a safe guess.
        let reachable = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://\(reachable.contains(":") ? "[\(reachable)]" : reachable):\(port)"
    }

    /// The cores this process may use.
    public static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The inference pool's slots: as set, or one per core for single-threaded runs
    /// (two sessions of one thread beat one of two by 36 % on 2 cores; see performance.md).
    public var effectiveInferenceConcurrency: Int {
        inferenceConcurrency ?? max(1, Self.cores / max(1, inferenceThreads == 0 ? Self.cores : inferenceThreads))
    }

    /// The circle pool's slots: as set, or half the cores, so that the Hough transform
    /// never takes every core from detection.
    public var effectiveCirclesConcurrency: Int { circles.concurrency ?? max(1, Self.cores / 2) }

    /// The database in use: `ARGUS_DATABASE_URL` or the default SQLite file.
    public var database: DatabaseLocation { databaseURL ?? .sqlite(path: dataDirectory + "/argus.sqlite") }

    public enum LogFormat: String, Sendable, CaseIterable { case json, text }

    public init() {}

    /// Reads `ARGUS_*` variables (declared in ``settings``); when `ARGUS_CONFIG_FILE`
    /// names a file, its `ARGUS_NAME=value` lines fill in whatever the environment does
    /// not set. Surrounding white space is ignored and an empty value counts as unset.
    /// - Throws: `ConfigurationError` naming the first setting that cannot be used.
    public init(environment: [String: String]) throws {
        var environment = environment.compactMapValues { value -> String? in
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
        if let path = environment["ARGUS_CONFIG_FILE"] {
            environment = try ConfigurationFile.read(path)
                .compactMapValues { value -> String? in
                    let trimmed = value.trimmingCharacters(in: .whitespaces)
                    return trimmed.isEmpty ? nil : trimmed
                }
                .merging(environment) { $1 }
        }
        for setting in Self.settings {
            if let value = environment[setting.name] { try setting.read(value, &self) }
        }
        guard background.limits.minWidth <= background.limits.maxWidth else {
            throw ConfigurationError(
                description:
                    "ARGUS_BG_MIN_SIDE=\(background.limits.minWidth) is above ARGUS_BG_MAX_SIDE=\(background.limits.maxWidth)")
        }
        guard imageLimits.minWidth <= imageLimits.maxWidth else {
            throw ConfigurationError(
                description: "ARGUS_MIN_IMAGE_SIDE=\(imageLimits.minWidth) is above ARGUS_MAX_IMAGE_SIDE=\(imageLimits.maxWidth)")
        }
        if circles.backend == .remote && circles.url == nil {
            throw ConfigurationError(description: "ARGUS_CIRCLES_BACKEND=remote needs ARGUS_CIRCLES_URL")
        }
        if mail.transport == .smtp && mail.smtp.security == .none && mail.smtp.username != nil {
            throw ConfigurationError(
                description:
                    "ARGUS_SMTP_USERNAME with ARGUS_SMTP_SECURITY=none would send the password in clear: use starttls or tls")
        }
        if mail.transport == .brevo && mail.brevo.apiKey == nil {
            throw ConfigurationError(description: "ARGUS_MAIL_TRANSPORT=brevo needs ARGUS_BREVO_API_KEY")
        }
    }
}

extension ServerConfiguration {
    /// Every setting by its environment variable, as `argus config` prints it: unset ones
    /// as `(unset)`, secrets masked (the JWT secret is never shown, a database password
    /// is replaced by `****`).
    public var effectiveSettings: [(name: String, value: String)] {
        Self.settings.map { ($0.name, $0.show(self) ?? Setting.unsetText) }
    }

    /// A logger honouring ARGUS_LOG_LEVEL and ARGUS_LOG_FORMAT.
    public func makeLogger(label: String = "argus") -> Logger {
        let level = logLevel
        switch logFormat {
        case .json:
            return Logger(label: label) { JSONLogHandler(label: $0, level: level) }
        case .text:
            var logger = Logger(label: label)
            logger.logLevel = level
            return logger
        }
    }
}
