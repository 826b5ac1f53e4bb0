import ArgusVision
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the HTTP application from a configuration: the single place where routes,
/// middleware and shared services meet.
public enum ArgusApplication {
    /// Loads ONNX Runtime and the default detector (failing fast when either is
    /// missing), opens and migrates the database, then returns the application ready to run.
    /// - Parameters:
    ///   - configuration: the settings, usually from `ServerConfiguration(environment:)`.
    ///   - logger: the process logger; each request's logger derives from it.
    /// - Returns: the application; `runService()` serves until SIGTERM or SIGINT.
    /// - Throws: `ConfigurationError` naming the setting at fault (data folder, database,
    ///   storage, JWT secret), or ONNX Runtime's and the model store's own errors.
    public static func make(configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
        let dependencies = try await openDependencies(configuration, loadingDefaultModel: true, logger: logger)
        return Application(
            router: makeRouter(dependencies),
            server: httpServer(dependencies, logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "argus"),
            // Shut down in reverse: the worker drains before the database closes.
            services: [DatabaseService(database: dependencies.database) as any Service]
                + (configuration.worker.embedded ? [dependencies.makeWorker(logger: logger)] : []),
            logger: logger)
    }

    /// `argus worker`: the job workers alone, on the configured database, until SIGTERM
    /// or SIGINT (which drain them). Models are loaded when a job first needs one.
    /// - Throws: `ConfigurationError` when the database cannot be opened or migrated.
    public static func runWorkers(configuration: ServerConfiguration, logger: Logger) async throws {
        let dependencies = try await openDependencies(configuration, loadingDefaultModel: false, logger: logger)
        let services: [any Service] = [DatabaseService(database: dependencies.database), dependencies.makeWorker(logger: logger)]
        guard configuration.worker.metricsPort > 0 else {
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            return
        }
        // Each worker process's own counters (jobs started, attempts, durations), for a scraper.
        let router = Router(context: ArgusRequestContext.self)
        router.add(middleware: RequestIdMiddleware(metrics: dependencies.metrics))
        router.addRoutes(HealthController(dependencies: dependencies, servesRequests: false).routes, atPath: "/health")
        router.addRoutes(
            MetricsController(metrics: dependencies.metrics, database: dependencies.database).routes, atPath: "/metrics")
        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.worker.metricsPort), serverName: "argus-worker"),
            services: services, logger: logger)
        try await app.runService()
    }

    /// What `serve` and `worker` start from: the data folder, ONNX Runtime, the
    /// detectors (the default one loaded at once when asked, so a missing model stops
    /// the server before it opens its port), the inference pool and the database.
    static func openDependencies(
        _ configuration: ServerConfiguration, loadingDefaultModel: Bool, logger: Logger
    ) async throws -> ServerDependencies {
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(description: "ARGUS_DATA_DIR=\(configuration.dataDirectory) cannot be created: \(error)")
        }
        let cuda = configuration.executionProvider != .cpu
        let runtime: ONNXRuntime
        do {
            runtime = try ONNXRuntime.load(libraryPath: configuration.ortLibrary, cuda: cuda)
        } catch  where cuda {
            let detail = if case InferenceError.libraryNotFound(let tried, _) = error, tried.isEmpty { "" } else { " (\(error))" }
            throw ConfigurationError(
                description:
                    "ARGUS_EXECUTION_PROVIDER=cuda needs the CUDA build of ONNX Runtime, not found: install it with `make setup GPU=1` or name it with ARGUS_ORT_LIBRARY\(detail)"
            )
        }
        let library = DetectorLibrary(
            store: ModelStore(directory: configuration.modelsDirectory), runtime: runtime,
            sessionOptions: SessionOptions(
                intraOpThreads: configuration.inferenceThreads, executionProvider: configuration.executionProvider))
        if loadingDefaultModel {
            do {
                _ = try library.detector(for: configuration.defaultModel)
            } catch  where cuda {
                // No silent fallback to the CPU: the server does not start.
                throw ConfigurationError(
                    description:
                        "ARGUS_EXECUTION_PROVIDER=cuda: CUDA cannot be used (\(error)). Check the NVIDIA driver and the CUDA libraries named there"
                )
            }
        }
        logger.info(
            "ONNX Runtime loaded",
            metadata: ["version": .string(runtime.version), "library": .string(runtime.libraryPath)])
        let pool = InferencePool(
            concurrency: configuration.effectiveInferenceConcurrency, queueLimit: configuration.inferenceQueue,
            maxWait: .milliseconds(Int(configuration.inferenceMaxWaitSeconds * 1000)))
        let dependencies = try await ServerDependencies.open(
            configuration: configuration, library: library, pool: pool, logger: logger)
        logger.info("database ready", metadata: ["database": .string(configuration.database.masked)])
        // The server loads the similarity index now, so that the first search does not pay
        // for it; a worker never searches, and never loads it.
        if loadingDefaultModel {
            do {
                try await dependencies.similarity.refresh(from: dependencies.database.db)
            } catch {
                await dependencies.database.shutdown()
                throw ConfigurationError(description: "cannot load the similarity index: \(error)")
            }
        }
        return dependencies
    }

    /// HTTP/1.1 with the connection counter and the JSON answer to requests the parser
    /// refuses, upgrading to a WebSocket where a route of `makeWebSocketRouter` allows it.
    public static func httpServer(_ dependencies: ServerDependencies, logger: Logger) -> HTTPServerBuilder {
        let metrics = dependencies.metrics
        let webSocketResponder = makeWebSocketRouter(dependencies).buildResponder()
        // A live session's frames are single messages up to ARGUS_LIVE_MAX_FRAME_BYTES.
        let webSocket = WebSocketServerConfiguration(
            maxFrameSize: max(1 << 14, dependencies.configuration.live.maxFrameBytes))
        return HTTPServerBuilder { responder in
            ArgusChildChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: webSocket),
                metrics: metrics, timeouts: dependencies.configuration.httpTimeouts, logger: logger)
        }
    }

    /// The routes that upgrade to a WebSocket, authenticated like the API (only upgrade
    /// requests reach this router; every other request goes to `makeRouter`'s).
    static func makeWebSocketRouter(_ dependencies: ServerDependencies) -> Router<ArgusRequestContext> {
        let router = Router(context: ArgusRequestContext.self)
        let api = router.group(RouterPath(apiBase))
            .add(middleware: AuthenticationMiddleware(authenticator: Authenticator(services: dependencies.accounts)))
        api.addRoutes(JobsController(dependencies: dependencies).webSocketRoutes, atPath: "/jobs")
        api.addRoutes(LiveController(dependencies: dependencies).webSocketRoutes, atPath: RouterPath(LiveController.path))
        return router
    }

    /// Where the API's routes live; links in answers are made from it.
    static let apiBase = "/api/v1"

    /// The OpenAPI 3.1 document served at `/openapi.json`.
    public static var openAPIDocument: String { OpenAPIDocument.json }

    /// Every route, in groups: each group carries its body limit, its authentication and
    /// its rate-limit budget, so no middleware needs to know a path. Paths are written
    /// here and in the features' route collections only.
    public static func makeRouter(_ dependencies: ServerDependencies) -> Router<ArgusRequestContext> {
        let configuration = dependencies.configuration
        let accounts = dependencies.accounts
        let router = Router(context: ArgusRequestContext.self)
        // Outermost first. RequestIdMiddleware turns errors into responses, so the two
        // outside it see every answer, refusals and unknown paths included.
        router.add(middleware: SecurityHeadersMiddleware())
        if !configuration.corsOrigins.isEmpty { router.add(middleware: CORSPolicyMiddleware(origins: configuration.corsOrigins)) }
        router.add(middleware: RequestIdMiddleware(metrics: dependencies.metrics))

        // Operations: never authenticated, never limited.
        router.addRoutes(HealthController(dependencies: dependencies).routes, atPath: "/health")
        router.addRoutes(
            MetricsController(metrics: dependencies.metrics, database: dependencies.database).routes, atPath: "/metrics")
        router.addRoutes(DocsController(assetsDirectory: configuration.docsAssetsDirectory).routes)
        router.addRoutes(FilesController(dependencies: dependencies).routes, atPath: "/files")

        // The API. Authentication runs before rate limiting so that callers are limited
        // per user or key; sign-in routes are limited per address.
        let limiter = RateLimiter()
        let limits = configuration.rateLimits
        let jsonLimit = BodyLimitMiddleware(limit: configuration.maxJSONBytes)
        let authentication = AuthenticationMiddleware(authenticator: Authenticator(services: accounts))
        func group(
            _ body: BodyLimitMiddleware, authenticated: Bool, budget: String, _ limit: RateLimit?,
            at base: String = apiBase, errors: ErrorShapeMiddleware? = nil
        ) -> RouterGroup<ArgusRequestContext> {
            let group = router.group(RouterPath(base))
            // Outside the rest, so that refusals of the body limit, authentication and rate
            // limits are answered in that API's own shape too.
            if let errors { group.add(middleware: errors) }
            group.add(middleware: body)
            if authenticated { group.add(middleware: authentication) }
            if let limit {
                group.add(
                    middleware: RateLimitMiddleware(
                        limiter: limiter, group: budget, limit: limit, key: authenticated ? .caller : .address))
            }
            return group
        }
        let signIn = group(jsonLimit, authenticated: false, budget: "auth", limits.auth)
        let api = group(jsonLimit, authenticated: true, budget: "api", limits.api)
        // Multipart framing adds a little to the file itself.
        let uploadLimit = BodyLimitMiddleware(limit: configuration.maxUploadBytes + 64 * 1024)
        let inference = group(uploadLimit, authenticated: true, budget: "inference", limits.inference)

        let auth = AuthController(services: accounts, mailer: dependencies.mailer, jobs: dependencies.jobs)
        signIn.addRoutes(auth.signInRoutes, atPath: "/auth")
        // The page the reset mail links to: a form, limited like the sign-in routes.
        let resetPage = router.group("/reset-password").add(middleware: jsonLimit)
        if let limit = limits.auth {
            resetPage.add(middleware: RateLimitMiddleware(limiter: limiter, group: "auth", limit: limit, key: .address))
        }
        resetPage.addRoutes(PasswordResetPage(resets: auth.resets).routes)
        api.addRoutes(auth.sessionRoutes, atPath: "/auth")
        api.addRoutes(UsersController(services: accounts).routes, atPath: "/users")
        api.addRoutes(APIKeysController(services: accounts).routes, atPath: "/api-keys")
        api.addRoutes(AdminController(services: accounts).routes, atPath: "/admin")
        let detect = DetectController(dependencies: dependencies)
        inference.addRoutes(detect.routes, atPath: "/detect")
        inference.addRoutes(CirclesController(dependencies: dependencies).routes, atPath: "/circles")
        inference.addRoutes(FacesController(dependencies: dependencies).routes, atPath: "/faces")
        inference.addRoutes(RemoveBackgroundController(dependencies: dependencies).routes, atPath: "/remove-background")
        // A batch's body holds up to ARGUS_BATCH_MAX_IMAGES uploads.
        let batchLimit = BodyLimitMiddleware(limit: configuration.batchMaxImages * configuration.maxUploadBytes + 64 * 1024)
        let batchUploads = group(batchLimit, authenticated: true, budget: "inference", limits.inference)
        let batch = BatchDetectController(dependencies: dependencies)
        batchUploads.addRoutes(batch.routes, atPath: "/detect")
        api.addRoutes(batch.jobRoutes, atPath: "/detect")
        let uploads = UploadsController(dependencies: dependencies)
        inference.addRoutes(uploads.uploadRoutes, atPath: "/uploads")
        api.addRoutes(uploads.routes, atPath: "/uploads")
        api.addRoutes(uploads.taskRoutes, atPath: "/tasks")
        // Videos stream to disk: their own body limit, beside the framing and form fields.
        let videoLimit = BodyLimitMiddleware(limit: configuration.videoMaxBytes + 256 * 1024)
        let videoUploads = group(videoLimit, authenticated: true, budget: "inference", limits.inference)
        let videos = VideosController(dependencies: dependencies)
        videoUploads.addRoutes(videos.uploadRoutes, atPath: RouterPath(VideosController.path))
        api.addRoutes(videos.routes, atPath: RouterPath(VideosController.path))
        api.addRoutes(LiveController(dependencies: dependencies).routes, atPath: RouterPath(LiveController.path))
        let images = ImagesController(dependencies: dependencies)
        inference.addRoutes(images.uploadRoutes, atPath: RouterPath(ImagesController.path))
        api.addRoutes(images.routes, atPath: RouterPath(ImagesController.path))
        let search = SearchController(dependencies: dependencies)
        api.addRoutes(search.imageRoutes, atPath: RouterPath(ImagesController.path))
        api.addRoutes(search.searchRoutes, atPath: "/search")
        inference.addRoutes(search.uploadRoutes, atPath: "/search")
        let history = HistoryController(dependencies: dependencies)
        api.addRoutes(history.historyRoutes, atPath: "/detect/history")
        api.addRoutes(history.statsRoutes, atPath: "/stats")
        api.addRoutes(ExportController(dependencies: dependencies).routes, atPath: "/exports")
        api.addRoutes(WebhooksController(dependencies: dependencies).routes, atPath: "/webhooks")
        let jobs = JobsController(dependencies: dependencies)
        api.addRoutes(jobs.routes, atPath: "/jobs")
        api.addRoutes(jobs.adminRoutes, atPath: "/admin")

        // Compatibility: the DeepStack / CodeProject.AI API and the Open Inference Protocol,
        // each failing in its own error shape, authenticated and limited like the native API.
        let deepStack = group(
            uploadLimit, authenticated: true, budget: "inference", limits.inference, at: "/v1",
            errors: DeepStackController.errorShape)
        deepStack.addRoutes(DeepStackController(dependencies: dependencies).routes)
        let openInference = OpenInferenceController(dependencies: dependencies)
        let v2Errors = OpenInferenceController.errorShape
        router.group("/v2/health").add(middleware: v2Errors).add(middleware: jsonLimit).addRoutes(openInference.healthRoutes)
        group(jsonLimit, authenticated: true, budget: "api", limits.api, at: "/v2", errors: v2Errors)
            .addRoutes(openInference.metadataRoutes)
        let inferLimit = BodyLimitMiddleware(limit: configuration.inferMaxBytes)
        group(inferLimit, authenticated: true, budget: "inference", limits.inference, at: "/v2", errors: v2Errors)
            .addRoutes(openInference.inferenceRoutes)
        return router
    }
}
