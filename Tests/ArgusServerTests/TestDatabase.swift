import ArgusServer
import ArgusTestSupport
import Foundation
import Logging
import SQLKit

/// A database of its own for each test. `ARGUS_TEST_DATABASE=postgres` (set by
/// `make test` for its second pass) creates a fresh database on the PostgreSQL server
/// that scripts/run-tests.sh started (`ARGUS_TEST_POSTGRES_URL`); otherwise a new
/// SQLite file. `pgvector: true` asks for one on the second server of that pass, a
/// PostgreSQL with the pgvector extension (`ARGUS_TEST_PGVECTOR_URL`).
enum TestDatabase {
    static var kind: String { ProcessInfo.processInfo.environment["ARGUS_TEST_DATABASE"] ?? "sqlite" }

    static func fresh(pgvector: Bool = false) async throws -> DatabaseLocation {
        guard kind == "postgres" || pgvector else {
            return .sqlite(path: try TestEnvironment.temporaryDirectory("db").appendingPathComponent("argus.sqlite").path)
        }
        let variable = pgvector ? "ARGUS_TEST_PGVECTOR_URL" : "ARGUS_TEST_POSTGRES_URL"
        guard let adminURL = ProcessInfo.processInfo.environment[variable], var components = URLComponents(string: adminURL)
        else {
            throw TestDatabaseError(description: "this test needs \(variable) (make test sets it for its PostgreSQL pass)")
        }
        let name = "argus_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        var logger = Logger(label: "test-database")
        logger.logLevel = .warning
        let admin = try ArgusDatabase(location: .postgres(url: adminURL), poolSize: 1, logger: logger)
        do {
            _ = try await admin.sql.raw("CREATE DATABASE \(unsafeRaw: name)").all()
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
        components.path = "/" + name
        return .postgres(url: components.string!)
    }
}

struct TestDatabaseError: Error, CustomStringConvertible {
    let description: String
}
