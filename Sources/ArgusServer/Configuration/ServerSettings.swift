import ArgusVision
import Foundation
import Logging

extension ServerConfiguration {
    /// Every setting `argus serve` reads, in the order `argus config` and the settings
    /// table list them. Add a setting here and nowhere else (then `make settings-doc`).
    public static let settings: [Setting] = [
        .text("ARGUS_HOST", \.host, "address or host name to listen on. Use `0.0.0.0` for all IPv4 interfaces"),
        .integer("ARGUS_PORT", \.port, in: 0...65535, "TCP port"),
        .seconds(
            "ARGUS_HTTP_HEADER_TIMEOUT", \.httpTimeouts.headerSeconds, in: 1...3600,
            "a request's head (request line and headers) must arrive within this many seconds of its first byte, or the connection is closed"
        ),
        .seconds(
            "ARGUS_HTTP_BODY_TIMEOUT", \.httpTimeouts.bodySeconds, in: 1...86_400,
            "a request's body must arrive in full within this many seconds of its head, or the connection is closed. Raise it for large uploads over slow links"
        ),
        .seconds(
            "ARGUS_HTTP_IDLE_TIMEOUT", \.httpTimeouts.idleSeconds, in: 1...86_400,
            "a kept-alive connection with no new request for this many seconds is closed"),
        .text(
            "ARGUS_DATA_DIR", \.dataDirectory,
            "created at start (startup fails, naming the setting, if it cannot be). Holds the default SQLite database, the generated JWT secret, the default image storage (`storage/`) and the cache of annotated images and thumbnails (`cache/`, safe to delete). Relative to the working directory"
        ),
        .text(
            "ARGUS_MODELS_DIR", \.modelsDirectory,
            "the models directory (catalogue files, custom `<id>.onnx` files and `<id>.json` manifests). A relative path is relative to the working directory: `make run` serves from the repository root, where setup puts the models"
        ),
        .text(
            "ARGUS_DEFAULT_MODEL", \.defaultModel,
            "model used when a request gives no `model`. It is loaded at startup, and startup fails if it is unknown or not installed"
        ),
        .integer(
            "ARGUS_MAX_UPLOAD_BYTES", \.maxUploadBytes, in: 1024...(1 << 30),
            "largest uploaded image in bytes (default 10 MiB). The whole request body may be 64 KiB larger, for the multipart framing"
        ),
        Setting(
            name: "ARGUS_MAX_IMAGE_SIDE",
            summary:
                "largest accepted image width and height in pixels. It is checked against the image header, after EXIF orientation, before any pixel is decoded. A larger image gets `422 image_too_large` on every upload route",
            accepts: "32 to 65535", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                let side = try Setting.parseInteger("ARGUS_MAX_IMAGE_SIDE", value, in: 32...65535)
                configuration.imageLimits.maxWidth = side
                configuration.imageLimits.maxHeight = side
            },
            show: { String($0.imageLimits.maxWidth) }),
        Setting(
            name: "ARGUS_MIN_IMAGE_SIDE",
            summary:
                "smallest accepted image width and height in pixels, at most `ARGUS_MAX_IMAGE_SIDE` (startup fails otherwise). Checked like the largest; a smaller image gets `422 image_too_small` on every upload route",
            accepts: "1 to 4096", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                let side = try Setting.parseInteger("ARGUS_MIN_IMAGE_SIDE", value, in: 1...4096)
                configuration.imageLimits.minWidth = side
                configuration.imageLimits.minHeight = side
            },
            show: { String($0.imageLimits.minWidth) }),
        Setting(
            name: "ARGUS_BG_MAX_SIDE",
            summary:
                "largest width and height `POST /api/v1/remove-background` and the `remove-background` upload task accept (checked from the header; `422 image_too_large` beyond)",
            accepts: "50 to 16384", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                let side = try Setting.parseInteger("ARGUS_BG_MAX_SIDE", value, in: 50...16384)
                configuration.background.limits.maxWidth = side
                configuration.background.limits.maxHeight = side
            },
            show: { String($0.background.limits.maxWidth) }),
        Setting(
            name: "ARGUS_BG_MIN_SIDE",
            summary: "smallest width and height background removal accepts (`422 image_too_small` below)",
            accepts: "1 to 4096", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                let side = try Setting.parseInteger("ARGUS_BG_MIN_SIDE", value, in: 1...4096)
                configuration.background.limits.minWidth = side
                configuration.background.limits.minHeight = side
            },
            show: { String($0.background.limits.minWidth) }),
        .integer(
            "ARGUS_BG_SYNC_MAX_PIXELS", \.background.syncMaxPixels, in: 0...(1 << 28),
            "the largest image (width × height) `POST /api/v1/remove-background` answers at once; a larger one is stored and answered `202` with its task (see [background-removal.md](background-removal.md)). 0: always a task"
        ),
        Setting(
            name: "ARGUS_STORAGE_DIR",
            summary:
                "where uploaded images are kept, content-addressed (see [images.md](images.md#storage)). Created at start; startup fails, naming the setting, if it cannot be",
            accepts: "a path", secret: false, defaultText: "`<ARGUS_DATA_DIR>/storage`",
            read: { value, configuration in configuration.storageDirectory = value },
            show: { $0.storagePath }),
        .seconds(
            "ARGUS_SIGNED_URL_TTL", \.signedURLLifetime, in: 10...(7 * 86_400),
            "lifetime of the signed `/files/{token}` links in image answers (file, annotated rendering, thumbnail)"),
        .choice(
            "ARGUS_CIRCLES_BACKEND", \.circles.backend,
            "the circle detector of `POST /api/v1/circles` and the `circles` upload task: `local` (in process, Hough transform) or `remote` (a model server speaking the Open Inference Protocol v2, see [images.md](images.md#on-a-model-server))"
        ),
        Setting(
            name: "ARGUS_CIRCLES_URL",
            summary: "base URL of that model server, `http://HOST:PORT` or `https://...`. Required with `remote`",
            accepts: "an http(s) URL", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                guard URL(string: value)?.host != nil, value.hasPrefix("http://") || value.hasPrefix("https://") else {
                    throw ConfigurationError(description: "ARGUS_CIRCLES_URL=\(value) is invalid: use http://HOST:PORT")
                }
                configuration.circles.url = value
            },
            show: { $0.circles.url }),
        .text("ARGUS_CIRCLES_MODEL", \.circles.model, "the model name on that server"),
        .integer("ARGUS_CIRCLES_TIMEOUT", \.circles.timeoutSeconds, in: 1...300, "seconds each call to that server may take"),
        .secretText(
            "ARGUS_CIRCLES_API_KEY", \.circles.apiKey,
            "a credential sent to that server as `Authorization: Bearer ...` (an Argus API key when the server is another Argus)"),
        Setting(
            name: "ARGUS_INFERENCE_CONCURRENCY",
            summary:
                "inference jobs (decode, inference, decoding of the outputs) that run at once. The default keeps every core busy with one single-threaded session run each, which measured fastest on CPUs (see [performance.md](performance.md))",
            accepts: "1 to 256", secret: false, defaultText: "the number of cores ÷ `ARGUS_INFERENCE_THREADS`",
            read: { value, configuration throws(ConfigurationError) in
                configuration.inferenceConcurrency = try Setting.parseInteger("ARGUS_INFERENCE_CONCURRENCY", value, in: 1...256)
            },
            show: { String($0.effectiveInferenceConcurrency) }),
        .integer(
            "ARGUS_INFERENCE_QUEUE", \.inferenceQueue, in: 0...10_000,
            "jobs that may wait for a slot, at most. Beyond it, or when a newcomer's predicted wait exceeds `ARGUS_INFERENCE_MAX_WAIT`, a request gets `503 busy` before its body is read, with `Retry-After` from the queue"
        ),
        .seconds(
            "ARGUS_INFERENCE_MAX_WAIT", \.inferenceMaxWaitSeconds, in: 1...600,
            "the longest a request waits for an inference slot: one predicted to wait longer is refused at once, and one that has waited this long is refused then (`503 busy`)"
        ),
        .integer(
            "ARGUS_INFERENCE_THREADS", \.inferenceThreads, in: 0...256,
            "ONNX Runtime intra-op threads per inference. 0 lets ONNX Runtime choose (one per core)"),
        Setting(
            name: "ARGUS_CIRCLES_CONCURRENCY",
            summary:
                "in-process circle detections (Hough transform) that run at once, in a pool of their own so that a slow one never holds up `/detect`; they wait and are refused like inference jobs",
            accepts: "1 to 256", secret: false, defaultText: "half the cores, at least 1",
            read: { value, configuration throws(ConfigurationError) in
                configuration.circles.concurrency = try Setting.parseInteger("ARGUS_CIRCLES_CONCURRENCY", value, in: 1...256)
            },
            show: { String($0.effectiveCirclesConcurrency) }),
        .optionalText(
            "ARGUS_ORT_LIBRARY", \.ortLibrary, default: "the library setup installed",
            "path of `libonnxruntime.so`. When set, only this file is tried (see below for the search otherwise)"),
        Setting(
            name: "ARGUS_EXECUTION_PROVIDER", summary: "where inference runs", accepts: "`cpu` or `cuda`", secret: false,
            defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                switch value.lowercased() {
                case "cpu": configuration.executionProvider = .cpu
                case "cuda": configuration.executionProvider = .cuda(device: 0)
                default: throw ConfigurationError(description: "ARGUS_EXECUTION_PROVIDER must be cpu or cuda, not '\(value)'")
                }
            },
            show: { if case .cuda = $0.executionProvider { "cuda" } else { "cpu" } }),
        Setting(
            name: "ARGUS_CUDA_DEVICE", summary: "GPU index. Used only with `ARGUS_EXECUTION_PROVIDER=cuda`", accepts: "0 to 64",
            secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                let device = try Setting.parseInteger("ARGUS_CUDA_DEVICE", value, in: 0...64)
                if case .cuda = configuration.executionProvider { configuration.executionProvider = .cuda(device: device) }
            },
            show: { if case .cuda(let device) = $0.executionProvider { String(device) } else { nil } }),
        .text(
            "ARGUS_DOCS_ASSETS_DIR", \.docsAssetsDirectory,
            "Swagger UI's files for the `/docs` page (installed by `make setup`)"),
        .rateLimit(
            "ARGUS_RATE_LIMIT_INFERENCE", \.rateLimits.inference,
            "token bucket per caller (user, API key, or client address for anonymous callers) for the routes that run a model (`POST /api/v1/detect`, `/api/v1/circles` and `/api/v1/images`). N requests may come at once; the bucket refills at N per period"
        ),
        .rateLimit(
            "ARGUS_RATE_LIMIT_API", \.rateLimits.api,
            "the same for every other `/api/` route but sign-up, login and refresh. Health checks, `/metrics`, the docs and signed file links are never limited"
        ),
        .rateLimit(
            "ARGUS_RATE_LIMIT_AUTH", \.rateLimits.auth,
            "token bucket per client address for sign-up, login and refresh"),
        Setting(
            name: "ARGUS_CORS_ORIGINS",
            summary: "comma-separated origins allowed to call the API from a browser, or `*` for any. Unset: no CORS headers",
            accepts: "`*` or origins such as `https://app.example.com`", secret: false, defaultText: nil,
            read: { value, configuration throws(ConfigurationError) in
                let origins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                for origin in origins where origin != "*" && !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
                    throw ConfigurationError(
                        description: "ARGUS_CORS_ORIGINS has '\(origin)': use * or origins such as https://app.example.com")
                }
                configuration.corsOrigins = origins
            },
            show: { $0.corsOrigins.isEmpty ? nil : $0.corsOrigins.joined(separator: ",") }),
        .choice("ARGUS_LOG_LEVEL", \.logLevel, "the least severe level logged"),
        .choice("ARGUS_LOG_FORMAT", \.logFormat, "`json` (one JSON object per line, see [api.md](api.md#logs)) or `text`"),
        Setting(
            name: "ARGUS_CONFIG_FILE",
            summary:
                "a file of `ARGUS_NAME=value` lines: blank lines and `#` comments are ignored, values may be in double quotes. A variable set in the environment wins over the file. An unreadable file or a line of another form stops startup",
            accepts: "a path", secret: false, defaultText: nil,
            read: { value, configuration in configuration.configFile = value },
            show: { $0.configFile }),
        Setting(
            name: "ARGUS_DATABASE_URL",
            summary:
                "the database (see [Database](#database)): `sqlite:PATH`, `sqlite://relative/path`, `sqlite:///absolute/path`, or `postgres://user:password@host:port/db` (`postgresql://` too). `argus config` shows the password as `****`",
            accepts: "a database URL", secret: false, defaultText: "`sqlite://<ARGUS_DATA_DIR>/argus.sqlite`",
            read: { value, configuration throws(ConfigurationError) in
                guard let location = DatabaseLocation.parse(value) else {
                    throw ConfigurationError(
                        description:
                            "ARGUS_DATABASE_URL is invalid: use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
                }
                configuration.databaseURL = location
            },
            show: { $0.database.masked }),
        .integer("ARGUS_DATABASE_POOL_SIZE", \.databasePoolSize, in: 1...100, "PostgreSQL connections per event loop"),
        Setting(
            name: "ARGUS_JWT_SECRET",
            summary:
                "the HMAC secret that signs access tokens and file links. When neither it nor `ARGUS_JWT_SECRET_FILE` is set, a secret is generated on first start into `<ARGUS_DATA_DIR>/jwt-secret` (mode 0600) and reused after. Changing it ends every access token and every signed file link at once",
            accepts: "at least \(JWTSecret.minimumBytes) bytes", secret: true, defaultText: "generated",
            read: { value, configuration throws(ConfigurationError) in
                guard value.utf8.count >= JWTSecret.minimumBytes else {
                    throw ConfigurationError(
                        description: "ARGUS_JWT_SECRET is too short: use at least \(JWTSecret.minimumBytes) bytes")
                }
                configuration.jwtSecret = value
            },
            show: { configuration in
                if configuration.jwtSecret != nil { return "****" }
                return configuration.jwtSecretFile == nil
                    ? "(generated in \(configuration.dataDirectory)/jwt-secret)" : "(from file)"
            }),
        Setting(
            name: "ARGUS_JWT_SECRET_FILE",
            summary:
                "a file that holds the secret instead (surrounding white space ignored, at least 32 bytes). Startup fails if the file does not exist. `ARGUS_JWT_SECRET` wins when both are set",
            accepts: "a path", secret: false, defaultText: nil,
            read: { value, configuration in configuration.jwtSecretFile = value },
            show: { $0.jwtSecretFile }),
        .seconds("ARGUS_ACCESS_TOKEN_TTL", \.accounts.accessTokenLifetime, in: 60...86_400, "lifetime of access tokens"),
        .seconds(
            "ARGUS_REFRESH_TOKEN_TTL", \.accounts.refreshTokenLifetime, in: 300...(365 * 86_400),
            "lifetime of refresh tokens (default 30 days)"),
        .integer(
            "ARGUS_BCRYPT_COST", \.accounts.bcryptCost, in: 4...16,
            "bcrypt cost of new password hashes. Each step doubles the time a hash takes to make and to check"),
        .integer(
            "ARGUS_LOGIN_MAX_FAILURES", \.accounts.loginMaxFailures, in: 1...1000,
            "failed sign-ins for one email before it is locked (see [api.md](api.md#passwords-and-sign-in))"),
        .seconds(
            "ARGUS_LOGIN_LOCKOUT_SECONDS", \.accounts.loginLockout, in: 1...86_400,
            "how long a locked email gets `429 login_locked`"),
        .boolean(
            "ARGUS_ALLOW_SIGNUP", \.accounts.allowSignup,
            "with `false`, `POST /api/v1/auth/signup` answers `403 signup_disabled`; accounts are created with `argus users create`"
        ),
        .boolean(
            "ARGUS_ALLOW_ANONYMOUS", \.accounts.allowAnonymous,
            "with `true`, `POST /api/v1/detect` runs without a credential. Every other `/api/` route still needs one"),
        .integer(
            "ARGUS_BATCH_MAX_IMAGES", \.batchMaxImages, in: 1...1000,
            "the most images one `POST /api/v1/detect/batch` may hold, each up to `ARGUS_MAX_UPLOAD_BYTES`"),
        .boolean(
            "ARGUS_COMPAT_ANONYMOUS", \.compatAnonymous,
            "with `true`, the DeepStack / CodeProject.AI routes (`/v1/vision/...`) and the Open Inference Protocol routes (`/v2/...`) run without a credential, for NVRs and model clients on a private network (see [compatibility.md](compatibility.md)). Results of anonymous calls are not recorded"
        ),
        .integer(
            "ARGUS_INFER_MAX_BYTES", \.inferMaxBytes, in: 1024...(1 << 30),
            "largest `POST /v2/models/{name}/infer` body in bytes (default 32 MiB), JSON or binary tensors"),
        .integer(
            "ARGUS_VIDEO_MAX_BYTES", \.videoMaxBytes, in: (1 << 20)...(64 << 30),
            "largest video `POST /api/v1/videos` accepts, in bytes (default 2 GiB). The upload streams to disk; a larger one gets `413 payload_too_large` as soon as it passes the limit"
        ),
        .integer(
            "ARGUS_VIDEO_MAX_SECONDS", \.videoMaxSeconds, in: 1...86_400,
            "longest video accepted, in seconds (default 3600); checked with ffprobe before it is stored (`413 video_too_large`)"
        ),
        .integer(
            "ARGUS_VIDEO_MAX_WIDTH", \.videoMaxWidth, in: 16...16_384,
            "widest video accepted, in pixels (default 3840); with `ARGUS_VIDEO_MAX_HEIGHT`, either way round, so a portrait video fits a landscape limit (`413 video_too_large`)"
        ),
        .integer(
            "ARGUS_VIDEO_MAX_HEIGHT", \.videoMaxHeight, in: 16...16_384,
            "tallest video accepted, in pixels (default 2160)"),
        .integer(
            "ARGUS_LIVE_MAX_SESSIONS", \.live.maxSessions, in: 0...1024,
            "live detection sessions (`GET /api/v1/live`) open at once (default 16); one more is closed with code 1013 (try again later); 0 turns live detection off"
        ),
        .integer(
            "ARGUS_LIVE_IDLE_SECONDS", \.live.idleSeconds, in: 1...3600,
            "a live session that sends nothing (no frame, no settings message) for this long is closed with code 4408 (default 30)"
        ),
        .integer(
            "ARGUS_LIVE_MAX_FRAME_BYTES", \.live.maxFrameBytes, in: (64 << 10)...(64 << 20),
            "largest JPEG frame a live session may send, in bytes (default 4 MiB); a larger message closes the session with code 1009"
        ),
        .boolean(
            "ARGUS_WEBHOOK_ALLOW_PRIVATE", \.webhookAllowPrivate,
            "with `true`, webhooks may point at private, loopback and link-local addresses (refused by default, when a webhook is made and before every delivery)"
        ),
        .choice(
            "ARGUS_SEARCH_INDEX", \.searchIndex,
            "the similarity index: `exact` searches every vector in memory; `pgvector` searches an HNSW index in PostgreSQL (the `vector` extension, 0.8 or later; startup fails without it); `auto` uses pgvector when the database offers it and `exact` otherwise (see [search.md](search.md#the-index))"
        ),
        .integer(
            "ARGUS_RETENTION_DAYS", \.retentionDays, in: 0...36_500,
            "stored images older than this, with their runs, objects and renderings, are deleted (hourly, by one worker); 0 keeps them"
        ),
        .integer(
            "ARGUS_JOB_RETENTION_DAYS", \.jobRetentionDays, in: 1...3650,
            "finished jobs (done, dead, cancelled) and their attempts are deleted this many days after they ended"),
        .boolean(
            "ARGUS_EMBEDDED_WORKER", \.worker.embedded,
            "whether `argus serve` runs a job worker in process. With `false`, jobs wait for an `argus worker` process"),
        .integer("ARGUS_WORKER_CONCURRENCY", \.worker.concurrency, in: 1...64, "jobs one worker runs at once"),
        .integer(
            "ARGUS_WORKER_POLL_MS", \.worker.pollMilliseconds, in: 10...60_000,
            "how often an idle worker looks for jobs enqueued by another process (jobs enqueued in its own process start at once)"
        ),
        .integer(
            "ARGUS_JOB_LEASE_SECONDS", \.worker.leaseSeconds, in: 2...3600,
            "how long a worker holds a running job without renewing it (it renews every third of this). A job whose worker died runs again after this"
        ),
        .integer(
            "ARGUS_WORKER_DRAIN_SECONDS", \.worker.drainSeconds, in: 0...3600,
            "at shutdown (SIGTERM), how long running jobs may take to finish before they are given back to the queue"),
        .integer(
            "ARGUS_JOB_RETRY_BASE_MS", \.worker.retryBaseMilliseconds, in: 1...600_000,
            "the ceiling of the first retry's random delay; each further retry doubles it, up to 10 minutes"),
        Setting(
            name: "ARGUS_PUBLIC_URL",
            summary:
                "the address users reach this server at, for the links in e-mails (password reset, job pages). Set it when Argus runs behind a proxy or a domain name",
            accepts: "an http or https URL", secret: false, defaultText: "`http://<ARGUS_HOST>:<ARGUS_PORT>`",
            read: { value, configuration throws(ConfigurationError) in
                guard let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
                else {
                    throw ConfigurationError(description: "ARGUS_PUBLIC_URL=\(value) is invalid: use https://HOST[:PORT][/PATH]")
                }
                configuration.publicURLOverride = value.hasSuffix("/") ? String(value.dropLast()) : value
            },
            show: { $0.publicURL }),
        .choice(
            "ARGUS_MAIL_TRANSPORT", \.mail.transport,
            "how e-mail leaves: `outbox` writes one `.eml` file per message to `ARGUS_MAIL_OUTBOX_DIR`; `smtp` and `brevo` send; `off` sends nothing (see [jobs.md](jobs.md#e-mail))"
        ),
        .text("ARGUS_MAIL_FROM", \.mail.from, "the sender of every mail: `user@example.com` or `Name <user@example.com>`"),
        Setting(
            name: "ARGUS_MAIL_OUTBOX_DIR",
            summary: "the folder of the `outbox` transport; created when the first mail is written",
            accepts: "a path", secret: false, defaultText: "`<ARGUS_DATA_DIR>/outbox`",
            read: { value, configuration in configuration.mail.outboxDirectory = value },
            show: { $0.outboxPath }),
        .optionalText(
            "ARGUS_MAIL_TEMPLATES_DIR", \.mail.templatesDirectory, default: "built in",
            "a folder of `<mail>.<part>.mustache` files that replace the built-in templates of those names (startup fails on a name that replaces nothing or a template that does not parse)"
        ),
        .text("ARGUS_SMTP_HOST", \.mail.smtp.host, "the SMTP server, for `ARGUS_MAIL_TRANSPORT=smtp`"),
        .integer(
            "ARGUS_SMTP_PORT", \.mail.smtp.port, in: 0...65535,
            "its port; 0 picks the usual one for `ARGUS_SMTP_SECURITY` (587, 465 or 25)"),
        .choice(
            "ARGUS_SMTP_SECURITY", \.mail.smtp.security,
            "`starttls` upgrades the connection (and refuses a server without STARTTLS), `tls` speaks TLS from the start, `none` neither (AUTH is then refused)"
        ),
        .optionalText(
            "ARGUS_SMTP_USERNAME", \.mail.smtp.username, default: "none",
            "the SMTP user name; with it, Argus authenticates with AUTH PLAIN (or LOGIN, when that is all the server offers)"),
        .secretText("ARGUS_SMTP_PASSWORD", \.mail.smtp.password, "the SMTP password"),
        .optionalText(
            "ARGUS_SMTP_CA_FILE", \.mail.smtp.caFile, default: "the system's",
            "PEM certificates trusted for the SMTP server besides the system's (a private CA)"),
        .integer(
            "ARGUS_SMTP_TIMEOUT", \.mail.smtp.timeoutSeconds, in: 1...600,
            "seconds one SMTP conversation may take, connecting included"),
        .secretText("ARGUS_BREVO_API_KEY", \.mail.brevo.apiKey, "the Brevo API key, for `ARGUS_MAIL_TRANSPORT=brevo`"),
        .text("ARGUS_BREVO_URL", \.mail.brevo.url, "Brevo's transactional e-mail endpoint"),
        .seconds(
            "ARGUS_PASSWORD_RESET_TTL", \.accounts.passwordResetLifetime, in: 300...86_400,
            "how long the link of a password-reset mail works (it works once)"),
        .integer(
            "ARGUS_WORKER_METRICS_PORT", \.worker.metricsPort, in: 0...65535,
            "`argus worker` serves `GET /metrics` and `GET /health` (`/live`, `/ready`) on this port of `ARGUS_HOST`, for scraping each worker process; 0 serves nothing. `argus serve` ignores it (its own port has both)"
        ),
        .integer(
            "ARGUS_MAX_JSON_BYTES", \.maxJSONBytes, in: 1024...(16 << 20),
            "largest JSON or form body on every route but the uploads. Larger ones get `413 payload_too_large`"),
    ]

    /// The settings table of `docs/configuration.md`, made from ``settings``
    /// (`argus config --markdown`); a test keeps the document equal to it.
    public static var settingsTable: String {
        let escape = { (text: String) in text.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| variable | default | accepts | meaning |", "| --- | --- | --- | --- |"]
        for setting in settings {
            lines.append(
                "| `\(setting.name)` | \(escape(setting.defaultValue)) | \(escape(setting.accepts)) | \(escape(setting.summary)) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
