import ArgusVision
import Foundation
import Hummingbird
import Logging
import NIOCore

/// What the routes share: settings, models, the inference pool, the database and accounts.
public struct ServerDependencies: Sendable {
    public let configuration: ServerConfiguration
    public let library: DetectorLibrary
    public let pool: InferencePool
    public let accounts: AccountServices
    public let images: ImageServices
    /// One registry per application, so tests never see another server's numbers.
    public let metrics = ServerMetrics()

    public init(
        configuration: ServerConfiguration, library: DetectorLibrary, pool: InferencePool, accounts: AccountServices,
        images: ImageServices
    ) {
        self.configuration = configuration
        self.library = library
        self.pool = pool
        self.accounts = accounts
        self.images = images
    }

    public var database: ArgusDatabase { accounts.database }

    /// Opens the database, applies pending migrations and sets up accounts (the JWT
    /// secret is generated under the data directory on first start when none is given).
    public static func open(
        configuration: ServerConfiguration, library: DetectorLibrary, pool: InferencePool, logger: Logger
    ) async throws -> ServerDependencies {
        let database = try ArgusDatabase(
            location: configuration.database, poolSize: configuration.databasePoolSize, logger: logger)
        do {
            let applied = try await database.migrate()
            if !applied.isEmpty { logger.info("migrations applied", metadata: ["migrations": .string(applied.joined(separator: ","))]) }
        } catch {
            await database.shutdown()
            throw ConfigurationError(
                description: "ARGUS_DATABASE_URL=\(configuration.database.masked): cannot open or migrate the database: \(String(reflecting: error))")
        }
        do {
            let secret = try JWTSecret.resolve(
                secret: configuration.jwtSecret, file: configuration.jwtSecretFile, dataDirectory: configuration.dataDirectory)
            let accounts = await AccountServices.make(configuration: configuration, database: database, secret: secret)
            let images = try ImageServices.make(configuration: configuration, secret: secret)
            return ServerDependencies(configuration: configuration, library: library, pool: pool, accounts: accounts, images: images)
        } catch {
            await database.shutdown()
            throw error
        }
    }
}

extension AccountServices {
    public static func make(configuration: ServerConfiguration, database: ArgusDatabase) async throws -> AccountServices {
        let secret = try JWTSecret.resolve(
            secret: configuration.jwtSecret, file: configuration.jwtSecretFile, dataDirectory: configuration.dataDirectory)
        return await make(configuration: configuration, database: database, secret: secret)
    }

    static func make(configuration: ServerConfiguration, database: ArgusDatabase, secret: String) async -> AccountServices {
        AccountServices(
            database: database, hasher: PasswordHasher(cost: configuration.accounts.bcryptCost),
            accessTokens: await AccessTokens(secret: secret, lifetime: configuration.accounts.accessTokenLifetime),
            settings: configuration.accounts)
    }
}

extension ImageServices {
    /// Local storage under the configured folder; circles in process or from the
    /// configured model server.
    static func make(configuration: ServerConfiguration, secret: String) throws -> ImageServices {
        let store: LocalBlobStore
        do {
            store = try LocalBlobStore(root: configuration.storagePath)
        } catch {
            throw ConfigurationError(description: "ARGUS_STORAGE_DIR=\(configuration.storagePath) cannot be used: \(error)")
        }
        let circles: any CircleDetector
        switch configuration.circles.backend {
        case .local:
            circles = HoughCircleDetector()
        case .remote:
            var settings = OpenInferenceClient.Settings()
            settings.timeout = .seconds(Int64(configuration.circles.timeoutSeconds))
            circles = RemoteCircleDetector(
                client: OpenInferenceClient(baseURL: configuration.circles.url ?? "", settings: settings),
                model: configuration.circles.model)
        }
        return ImageServices(
            store: store, signedURLs: SignedURLs(secret: secret, lifetime: configuration.signedURLLifetime),
            cacheDirectory: configuration.cachePath, circles: circles)
    }
}

/// Builds the HTTP application from a configuration: the single place where routes,
/// middleware and shared services meet.
public enum ArgusApplication {
    /// Loads ONNX Runtime and the default detector (failing fast when either is
    /// missing), opens and migrates the database, then returns the application ready to run.
    public static func make(configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(description: "ARGUS_DATA_DIR=\(configuration.dataDirectory) cannot be created: \(error)")
        }
        let runtime = try ONNXRuntime.load(libraryPath: configuration.ortLibrary)
        let library = DetectorLibrary(
            store: ModelStore(directory: configuration.modelsDirectory), runtime: runtime,
            sessionOptions: SessionOptions(
                intraOpThreads: configuration.inferenceThreads, executionProvider: configuration.executionProvider))
        _ = try library.detector(for: configuration.defaultModel)
        logger.info(
            "ONNX Runtime loaded",
            metadata: ["version": .string(runtime.version), "library": .string(runtime.libraryPath)])

        let pool = InferencePool(concurrency: configuration.inferenceConcurrency, queueLimit: configuration.inferenceQueue)
        let dependencies = try await ServerDependencies.open(
            configuration: configuration, library: library, pool: pool, logger: logger)
        logger.info("database ready", metadata: ["database": .string(configuration.database.masked)])
        let metrics = dependencies.metrics
        return Application(
            router: makeRouter(dependencies),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionCounter(metrics: metrics)])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "argus"),
            services: [DatabaseService(database: dependencies.database)],
            logger: logger)
    }

    /// The OpenAPI 3.1 document served at `/openapi.json`.
    public static var openAPIDocument: String { OpenAPIDocument.json }

    public static func makeRouter(_ dependencies: ServerDependencies) -> Router<ArgusRequestContext> {
        let configuration = dependencies.configuration
        let accounts = dependencies.accounts
        let router = Router(context: ArgusRequestContext.self)
        let metrics = dependencies.metrics
        // Outermost first. RequestIdMiddleware turns errors into responses, so the two
        // outside it see every answer, refusals included, and add their headers to it.
        // Authentication runs before rate limiting so that callers are limited per user or key.
        router.add(middleware: SecurityHeadersMiddleware())
        if !configuration.corsOrigins.isEmpty { router.add(middleware: CORSPolicyMiddleware(origins: configuration.corsOrigins)) }
        router.add(middleware: RequestIdMiddleware(metrics: metrics))
        router.add(middleware: BodyLimitMiddleware(uploadLimit: configuration.maxUploadBytes, jsonLimit: configuration.maxJSONBytes))
        router.add(middleware: AuthenticationMiddleware(authenticator: Authenticator(services: accounts)))
        router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(), limits: configuration.rateLimits))
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        HealthController(dependencies: dependencies).register(on: router)
        DocsController(assetsDirectory: configuration.docsAssetsDirectory).register(on: router)
        let bodyLimit = configuration.maxJSONBytes
        AuthController(services: accounts, bodyLimit: bodyLimit).register(on: router)
        UsersController(services: accounts, bodyLimit: bodyLimit).register(on: router)
        APIKeysController(services: accounts, bodyLimit: bodyLimit).register(on: router)
        AdminController(services: accounts, bodyLimit: bodyLimit).register(on: router)
        DetectController(dependencies: dependencies).register(on: router)
        ImagesController(dependencies: dependencies).register(on: router)
        CirclesController(dependencies: dependencies).register(on: router)
        HistoryController(dependencies: dependencies).register(on: router)
        ExportController(dependencies: dependencies).register(on: router)
        FilesController(images: dependencies.images).register(on: router)
        return router
    }
}
