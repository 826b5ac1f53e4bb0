import ArgusVision
import Foundation
import Logging

/// What the routes share: settings, models, the inference pool, the database and accounts.
public struct ServerDependencies: Sendable {
    public let configuration: ServerConfiguration
    public let library: DetectorLibrary
    public let pool: InferencePool
    /// The in-process circle detections' own pool: a slow Hough transform never holds a
    /// detection slot.
    public let circlePool: InferencePool
    public let accounts: AccountServices
    public let images: ImageServices
    /// The face detector, loaded on first use, on the detectors' runtime and settings.
    public let faces: FaceLibrary
    /// The background-removal models, each loaded on first use, likewise.
    public let background: BackgroundLibrary
    /// The image embedder (embeddings and tags), loaded on first use, likewise.
    public let embeddings: EmbeddingLibrary
    /// The embeddings of every user's images, searched by similarity.
    let similarity: any SimilarityIndex
    /// One registry per application, so tests never see another server's numbers.
    public let metrics = ServerMetrics()
    /// The live sessions open now, bounded by `ARGUS_LIVE_MAX_SESSIONS`.
    let liveSessions = LiveSessions()

    init(
        configuration: ServerConfiguration, library: DetectorLibrary, pool: InferencePool, accounts: AccountServices,
        images: ImageServices, mailer: Mailer, similarity: any SimilarityIndex
    ) {
        self.similarity = similarity
        self.configuration = configuration
        self.library = library
        self.pool = pool
        faces = FaceLibrary(store: library.store, runtime: library.runtime, sessionOptions: library.sessionOptions)
        background = BackgroundLibrary(store: library.store, runtime: library.runtime, sessionOptions: library.sessionOptions)
        embeddings = EmbeddingLibrary(store: library.store, runtime: library.runtime, sessionOptions: library.sessionOptions)
        circlePool = InferencePool(
            concurrency: configuration.effectiveCirclesConcurrency, queueLimit: 64,
            maxWait: .milliseconds(Int(configuration.inferenceMaxWaitSeconds * 1000)))
        self.accounts = accounts
        self.images = images
        self.mailer = mailer
        jobs = JobQueue(
            database: accounts.database,
            retry: RetryPolicy(base: .milliseconds(configuration.worker.retryBaseMilliseconds)),
            notices: JobEndNotices(mailer: mailer))
    }

    /// Queues the mails; the `mail.send` jobs send them.
    public let mailer: Mailer

    public var database: ArgusDatabase { accounts.database }

    /// Where videos and their results are kept.
    var videoFiles: VideoFiles { VideoFiles(storagePath: configuration.storagePath) }

    /// The durable job queue, with this process's wake-up signal.
    public let jobs: JobQueue

    /// A worker for every job kind this build knows, with the configured settings.
    public func makeWorker(logger: Logger) -> JobWorker {
        JobWorker(
            queue: jobs,
            handlers: [
                NoopJobHandler(), DetectBatchHandler(dependencies: self), ImageTasksHandler(dependencies: self),
                VideoTrackHandler(dependencies: self),
                WebhookDeliveryHandler(dependencies: self), MailJobHandler(mailer: mailer),
                PasswordResetJobHandler(resets: PasswordResets(services: accounts, mailer: mailer, jobs: jobs)),
            ],
            settings: configuration.worker,
            metrics: metrics, scheduler: { Scheduler(dependencies: self, holder: $0, logger: logger) }, logger: logger)
    }

    /// Opens the database, applies pending migrations and sets up accounts (the JWT
    /// secret is generated under the data directory on first start when none is given).
    /// - Parameters:
    ///   - library: the detectors; the default model is expected to load.
    ///   - pool: bounds the CPU work of every route.
    /// - Returns: the shared services; call `database.shutdown()` when done with them.
    /// - Throws: `ConfigurationError` when the database cannot be opened or migrated, or
    ///   the storage folder or JWT secret cannot be used. The database is closed again.
    public static func open(
        configuration: ServerConfiguration, library: DetectorLibrary, pool: InferencePool, logger: Logger
    ) async throws -> ServerDependencies {
        let database = try ArgusDatabase(
            location: configuration.database, poolSize: configuration.databasePoolSize, logger: logger)
        do {
            let applied = try await database.migrate()
            if !applied.isEmpty {
                logger.info("migrations applied", metadata: ["migrations": .string(applied.joined(separator: ","))])
            }
        } catch {
            await database.shutdown()
            throw ConfigurationError(
                description:
                    "ARGUS_DATABASE_URL=\(configuration.database.masked): cannot open or migrate the database: \(String(reflecting: error))"
            )
        }
        do {
            let secret = try JWTSecret.resolve(
                secret: configuration.jwtSecret, file: configuration.jwtSecretFile, dataDirectory: configuration.dataDirectory)
            let accounts = await AccountServices.make(configuration: configuration, database: database, secret: secret)
            let images = try ImageServices.make(configuration: configuration, secret: secret)
            let similarity = try await configuration.searchIndex.index(on: database, logger: logger)
            return ServerDependencies(
                configuration: configuration, library: library, pool: pool, accounts: accounts, images: images,
                mailer: try Mailer(configuration: configuration), similarity: similarity)
        } catch {
            await database.shutdown()
            throw error
        }
    }
}
