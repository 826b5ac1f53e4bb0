import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import Hummingbird
import HummingbirdTesting

/// A configured Argus application served over live HTTP for one test, on its own
/// database (SQLite or PostgreSQL, see `TestDatabase`).
enum TestServer {
    /// Test models, a private data folder and database, a random JWT secret, the cheapest
    /// bcrypt cost (4) so that sign-ups stay fast, the Swagger UI files setup installed.
    static func configuration(
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws
        -> ServerConfiguration
    {
        var configuration = ServerConfiguration()
        configuration.modelsDirectory = TestEnvironment.models.directory
        configuration.dataDirectory = try TestEnvironment.temporaryDirectory("data").path
        configuration.docsAssetsDirectory = TestEnvironment.repoRoot.appendingPathComponent(".deps/swagger-ui").path
        configuration.databaseURL = try await TestDatabase.fresh()
        configuration.jwtSecret = UUID().uuidString + UUID().uuidString
        configuration.accounts.bcryptCost = 4
        configure(&configuration)
        return configuration
    }

    /// Opens (and migrates) the configuration's database, runs `body`, closes it.
    static func withDependencies<T>(
        _ configuration: ServerConfiguration, pool: InferencePool = InferencePool(concurrency: 1, queueLimit: 4),
        library: DetectorLibrary = TestEnvironment.detectors, _ body: (ServerDependencies) async throws -> T
    ) async throws -> T {
        let dependencies = try await ServerDependencies.open(
            configuration: configuration, library: library, pool: pool, logger: .init(label: "test"))
        do {
            let result = try await body(dependencies)
            await dependencies.database.shutdown()
            return result
        } catch {
            await dependencies.database.shutdown()
            throw error
        }
    }

    /// How a test reaches the application.
    enum Transport {
        /// In process, through the router (Hummingbird's `.router` framework): no sockets.
        case router
        /// Over HTTP on a loopback port, for what needs a real connection.
        case live
    }

    /// Runs `body` against the application; every exchange is recorded for the
    /// response validation against the API document (`ExchangeRecorder`).
    static func run(
        _ configuration: ServerConfiguration? = nil, transport: Transport = .router,
        pool: InferencePool = InferencePool(concurrency: 1, queueLimit: 4), library: DetectorLibrary = TestEnvironment.detectors,
        _ body: @escaping @Sendable (any TestClientProtocol, ServerDependencies) async throws -> Void
    ) async throws {
        let configuration = try await {
            if let configuration { return configuration }; return try await self.configuration()
        }()
        try await withDependencies(configuration, pool: pool, library: library) { dependencies in
            let app = Application(
                router: ArgusApplication.makeRouter(dependencies),
                server: ArgusApplication.httpServer(dependencies, logger: .init(label: "test")),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            let framework: TestingSetup = transport == .live ? .live : .router
            try await app.test(framework) { client in try await body(RecordingClient(base: client), dependencies) }
        }
    }
}
