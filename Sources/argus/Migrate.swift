import ArgumentParser
import ArgusServer
import Foundation
import Logging

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (argus serve also does this on start).")

    @Flag(help: "List pending migrations without applying them.")
    var dryRun = false

    func run() async throws {
        let configuration = try ServerConfiguration.fromEnvironment()
        try await withDatabase(configuration) { database in
            if dryRun {
                let pending = try await database.pendingMigrations()
                print(pending.isEmpty ? "no pending migrations" : pending.joined(separator: "\n"))
                return
            }
            let applied = try await database.migrate()
            print(applied.isEmpty ? "database is up to date" : "applied: " + applied.joined(separator: ", "))
        }
    }
}

/// Opens the configured database for one command and always closes it.
func withDatabase<T>(
    _ configuration: ServerConfiguration, _ body: (ArgusDatabase) async throws -> T
) async throws -> T {
    var logger = Logger(label: "argus")
    logger.logLevel = .warning
    let database = try ArgusDatabase(location: configuration.database, poolSize: 1, logger: logger)
    do {
        let result = try await body(database)
        await database.shutdown()
        return result
    } catch {
        await database.shutdown()
        throw error
    }
}
