import ArgusVision
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Builds the HTTP application from a configuration: the single place where routes,
/// middleware and shared services meet.
public enum ArgusApplication {
    /// Loads ONNX Runtime and the default detector (failing fast when either is
    /// missing), then returns the application ready to run.
    public static func make(configuration: ServerConfiguration, logger: Logger) throws -> some ApplicationProtocol {
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
        let router = makeRouter(configuration: configuration, library: library, pool: pool)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "argus"),
            logger: logger)
    }

    /// The OpenAPI 3.1 document served at `/openapi.json`.
    public static var openAPIDocument: String { OpenAPIDocument.json }

    public static func makeRouter(configuration: ServerConfiguration, library: DetectorLibrary, pool: InferencePool)
        -> Router<ArgusRequestContext>
    {
        let router = Router(context: ArgusRequestContext.self)
        let metrics = ServerMetrics()
        // Outermost first. RequestIdMiddleware turns errors into responses, so the two
        // outside it see every answer, refusals included, and add their headers to it.
        router.add(middleware: SecurityHeadersMiddleware())
        if !configuration.corsOrigins.isEmpty { router.add(middleware: CORSPolicyMiddleware(origins: configuration.corsOrigins)) }
        router.add(middleware: RequestIdMiddleware(metrics: metrics))
        router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(), limits: configuration.rateLimits))
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        HealthController(library: library, pool: pool, configuration: configuration).register(on: router)
        DocsController(assetsDirectory: configuration.docsAssetsDirectory).register(on: router)
        DetectController(library: library, pool: pool, configuration: configuration, metrics: metrics).register(on: router)
        return router
    }
}
