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
    /// Largest request body accepted by upload routes, in bytes.
    public var maxUploadBytes = 10 * 1024 * 1024
    /// Upright width and height accepted, checked from the header before decoding.
    public var imageLimits = ImageLimits(minWidth: 32, minHeight: 32, maxWidth: 8192, maxHeight: 8192)
    /// Inference jobs running at once, and jobs allowed to wait for a slot.
    public var inferenceConcurrency = 1
    public var inferenceQueue = 16
    /// Threads one inference may use (0: one per core).
    public var inferenceThreads = 0
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
    /// The file the settings were read from, if any (`ARGUS_CONFIG_FILE`).
    public var configFile: String?

    public var storagePath: String { storageDirectory ?? dataDirectory + "/storage" }
    /// Derived images (annotated, thumbnails), rebuilt on demand.
    public var cachePath: String { dataDirectory + "/cache" }

    /// The database in use: `ARGUS_DATABASE_URL` or the default SQLite file.
    public var database: DatabaseLocation { databaseURL ?? .sqlite(path: dataDirectory + "/argus.sqlite") }

    public enum LogFormat: String, Sendable { case json, text }

    public init() {}

    /// Reads `ARGUS_*` variables; when `ARGUS_CONFIG_FILE` names a file, its
    /// `ARGUS_NAME=value` lines fill in whatever the environment does not set.
    public init(environment: [String: String]) throws {
        var environment = environment
        if let path = environment["ARGUS_CONFIG_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            // A variable set but empty counts as unset, here as everywhere else.
            environment = try ConfigurationFile.read(path).merging(environment.filter { !$0.value.isEmpty }) { $1 }
            configFile = path
        }
        let reader = EnvironmentReader(environment: environment)
        host = reader.string("ARGUS_HOST") ?? host
        port = try reader.integer("ARGUS_PORT", in: 0...65535) ?? port
        dataDirectory = reader.string("ARGUS_DATA_DIR") ?? dataDirectory
        modelsDirectory = reader.string("ARGUS_MODELS_DIR") ?? modelsDirectory
        defaultModel = reader.string("ARGUS_DEFAULT_MODEL") ?? defaultModel
        maxUploadBytes = try reader.integer("ARGUS_MAX_UPLOAD_BYTES", in: 1024...(1 << 30)) ?? maxUploadBytes
        let maxSide = try reader.integer("ARGUS_MAX_IMAGE_SIDE", in: 32...65535) ?? imageLimits.maxWidth
        let minSide = try reader.integer("ARGUS_MIN_IMAGE_SIDE", in: 1...4096) ?? imageLimits.minWidth
        guard minSide <= maxSide else {
            throw ConfigurationError(description: "ARGUS_MIN_IMAGE_SIDE=\(minSide) is above ARGUS_MAX_IMAGE_SIDE=\(maxSide)")
        }
        imageLimits = ImageLimits(minWidth: minSide, minHeight: minSide, maxWidth: maxSide, maxHeight: maxSide)
        storageDirectory = reader.string("ARGUS_STORAGE_DIR")
        if let seconds = try reader.integer("ARGUS_SIGNED_URL_TTL", in: 10...(7 * 86_400)) {
            signedURLLifetime = TimeInterval(seconds)
        }
        circles = try CirclesSettings(reader: reader)
        inferenceConcurrency = try reader.integer("ARGUS_INFERENCE_CONCURRENCY", in: 1...256) ?? inferenceConcurrency
        inferenceQueue = try reader.integer("ARGUS_INFERENCE_QUEUE", in: 0...10_000) ?? inferenceQueue
        inferenceThreads = try reader.integer("ARGUS_INFERENCE_THREADS", in: 0...256) ?? inferenceThreads
        ortLibrary = reader.string("ARGUS_ORT_LIBRARY")
        docsAssetsDirectory = reader.string("ARGUS_DOCS_ASSETS_DIR") ?? docsAssetsDirectory
        rateLimits.inference = try reader.rateLimit("ARGUS_RATE_LIMIT_INFERENCE") ?? rateLimits.inference
        rateLimits.api = try reader.rateLimit("ARGUS_RATE_LIMIT_API") ?? rateLimits.api
        if let origins = reader.string("ARGUS_CORS_ORIGINS") {
            corsOrigins = origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for origin in corsOrigins where origin != "*" && !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
                throw ConfigurationError(
                    description: "ARGUS_CORS_ORIGINS has '\(origin)': use * or origins such as https://app.example.com")
            }
        }
        if let level = reader.string("ARGUS_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(
                    description: "ARGUS_LOG_LEVEL=\(level) is invalid: use trace, debug, info, notice, warning, error or critical")
            }
            logLevel = parsed
        }
        if let format = reader.string("ARGUS_LOG_FORMAT") {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError(description: "ARGUS_LOG_FORMAT=\(format) is invalid: use json or text")
            }
            logFormat = parsed
        }
        if let text = reader.string("ARGUS_DATABASE_URL") {
            guard let location = DatabaseLocation.parse(text) else {
                throw ConfigurationError(
                    description: "ARGUS_DATABASE_URL is invalid: use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
            }
            databaseURL = location
        }
        databasePoolSize = try reader.integer("ARGUS_DATABASE_POOL_SIZE", in: 1...100) ?? databasePoolSize
        jwtSecret = environment["ARGUS_JWT_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        jwtSecretFile = reader.string("ARGUS_JWT_SECRET_FILE")
        if let secret = jwtSecret, secret.utf8.count < JWTSecret.minimumBytes {
            throw ConfigurationError(description: "ARGUS_JWT_SECRET is too short: use at least \(JWTSecret.minimumBytes) bytes")
        }
        if let seconds = try reader.integer("ARGUS_ACCESS_TOKEN_TTL", in: 60...86_400) {
            accounts.accessTokenLifetime = TimeInterval(seconds)
        }
        if let seconds = try reader.integer("ARGUS_REFRESH_TOKEN_TTL", in: 300...(365 * 86_400)) {
            accounts.refreshTokenLifetime = TimeInterval(seconds)
        }
        accounts.bcryptCost = try reader.integer("ARGUS_BCRYPT_COST", in: 4...16) ?? accounts.bcryptCost
        accounts.loginMaxFailures = try reader.integer("ARGUS_LOGIN_MAX_FAILURES", in: 1...1000) ?? accounts.loginMaxFailures
        if let seconds = try reader.integer("ARGUS_LOGIN_LOCKOUT_SECONDS", in: 1...86_400) {
            accounts.loginLockout = TimeInterval(seconds)
        }
        accounts.allowSignup = try reader.boolean("ARGUS_ALLOW_SIGNUP") ?? accounts.allowSignup
        accounts.allowAnonymous = try reader.boolean("ARGUS_ALLOW_ANONYMOUS") ?? accounts.allowAnonymous
        maxJSONBytes = try reader.integer("ARGUS_MAX_JSON_BYTES", in: 1024...(16 << 20)) ?? maxJSONBytes
        rateLimits.auth = try reader.rateLimit("ARGUS_RATE_LIMIT_AUTH") ?? rateLimits.auth
        switch reader.string("ARGUS_EXECUTION_PROVIDER")?.lowercased() {
        case nil, "cpu": executionProvider = .cpu
        case "cuda": executionProvider = .cuda(device: try reader.integer("ARGUS_CUDA_DEVICE", in: 0...64) ?? 0)
        case let other?:
            throw ConfigurationError(description: "ARGUS_EXECUTION_PROVIDER must be cpu or cuda, not '\(other)'")
        }
    }
}

extension ServerConfiguration {
    /// Every setting by its environment variable, as `argus config` prints it. Secrets
    /// are masked: the JWT secret is never shown, a database password is replaced by ****.
    public var effectiveSettings: [(name: String, value: String)] {
        let provider: String
        let device: String
        switch executionProvider {
        case .cpu: (provider, device) = ("cpu", "-")
        case .cuda(let id): (provider, device) = ("cuda", String(id))
        }
        return [
            ("ARGUS_HOST", host), ("ARGUS_PORT", String(port)), ("ARGUS_DATA_DIR", dataDirectory),
            ("ARGUS_MODELS_DIR", modelsDirectory), ("ARGUS_DEFAULT_MODEL", defaultModel),
            ("ARGUS_MAX_UPLOAD_BYTES", String(maxUploadBytes)), ("ARGUS_MAX_IMAGE_SIDE", String(imageLimits.maxWidth)),
            ("ARGUS_MIN_IMAGE_SIDE", String(imageLimits.minWidth)), ("ARGUS_STORAGE_DIR", storagePath),
            ("ARGUS_SIGNED_URL_TTL", String(Int(signedURLLifetime))),
            ("ARGUS_CIRCLES_BACKEND", circles.backend.rawValue), ("ARGUS_CIRCLES_URL", circles.url ?? "-"),
            ("ARGUS_CIRCLES_MODEL", circles.model), ("ARGUS_CIRCLES_TIMEOUT", String(circles.timeoutSeconds)),
            ("ARGUS_INFERENCE_CONCURRENCY", String(inferenceConcurrency)), ("ARGUS_INFERENCE_QUEUE", String(inferenceQueue)),
            ("ARGUS_INFERENCE_THREADS", String(inferenceThreads)), ("ARGUS_ORT_LIBRARY", ortLibrary ?? "(search)"),
            ("ARGUS_EXECUTION_PROVIDER", provider), ("ARGUS_CUDA_DEVICE", device),
            ("ARGUS_DOCS_ASSETS_DIR", docsAssetsDirectory),
            ("ARGUS_RATE_LIMIT_INFERENCE", rateLimits.inference?.description ?? "off"),
            ("ARGUS_RATE_LIMIT_API", rateLimits.api?.description ?? "off"),
            ("ARGUS_CORS_ORIGINS", corsOrigins.isEmpty ? "(none)" : corsOrigins.joined(separator: ",")),
            ("ARGUS_LOG_LEVEL", logLevel.rawValue), ("ARGUS_LOG_FORMAT", logFormat.rawValue),
            ("ARGUS_DATABASE_URL", database.masked), ("ARGUS_DATABASE_POOL_SIZE", String(databasePoolSize)),
            (
                "ARGUS_JWT_SECRET",
                jwtSecret != nil ? "****" : jwtSecretFile == nil ? "(generated in \(dataDirectory)/jwt-secret)" : "(from file)"
            ),
            ("ARGUS_JWT_SECRET_FILE", jwtSecretFile ?? "-"),
            ("ARGUS_ACCESS_TOKEN_TTL", String(Int(accounts.accessTokenLifetime))),
            ("ARGUS_REFRESH_TOKEN_TTL", String(Int(accounts.refreshTokenLifetime))),
            ("ARGUS_BCRYPT_COST", String(accounts.bcryptCost)),
            ("ARGUS_LOGIN_MAX_FAILURES", String(accounts.loginMaxFailures)),
            ("ARGUS_LOGIN_LOCKOUT_SECONDS", String(Int(accounts.loginLockout))),
            ("ARGUS_ALLOW_SIGNUP", String(accounts.allowSignup)),
            ("ARGUS_ALLOW_ANONYMOUS", String(accounts.allowAnonymous)),
            ("ARGUS_MAX_JSON_BYTES", String(maxJSONBytes)),
            ("ARGUS_RATE_LIMIT_AUTH", rateLimits.auth?.description ?? "off"),
            ("ARGUS_CONFIG_FILE", configFile ?? "-"),
        ]
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

/// Typed reads of environment variables with errors that name the variable.
struct EnvironmentReader {
    let environment: [String: String]

    func string(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// `N/second|minute|hour` or `off`; the outer nil means unset.
    func rateLimit(_ name: String) throws -> RateLimit?? {
        guard let text = string(name) else { return nil }
        guard let parsed = RateLimit.parse(text) else {
            throw ConfigurationError(description: "\(name)=\(text) is invalid: use N/second, N/minute, N/hour or off")
        }
        return .some(parsed)
    }

    func boolean(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(description: "\(name)=\(text) is invalid: use true or false")
        }
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                description: "\(name)=\(text) is invalid: expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
