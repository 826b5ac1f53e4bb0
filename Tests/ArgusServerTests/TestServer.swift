import ArgusServer
import ArgusTestSupport
import ArgusVision
import Hummingbird
import HummingbirdTesting

/// A configured Argus router served over live HTTP for one test.
enum TestServer {
    /// Test models, a private data folder, the Swagger UI files setup installed.
    static func configuration(_ configure: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.modelsDirectory = TestEnvironment.models.directory
        configuration.dataDirectory = (try? TestEnvironment.temporaryDirectory("data").path) ?? "data"
        configuration.docsAssetsDirectory = TestEnvironment.repoRoot.appendingPathComponent(".deps/swagger-ui").path
        configure(&configuration)
        return configuration
    }

    static func router(
        _ configuration: ServerConfiguration = configuration(),
        pool: InferencePool = InferencePool(concurrency: 1, queueLimit: 4),
        library: DetectorLibrary = TestEnvironment.detectors
    ) -> Router<ArgusRequestContext> {
        ArgusApplication.makeRouter(configuration: configuration, library: library, pool: pool)
    }

    /// Runs `body` against the router on a loopback port.
    static func run(
        _ router: Router<ArgusRequestContext>, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client) }
    }
}
