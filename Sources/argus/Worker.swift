import ArgumentParser
import ArgusServer
import ArgusVision
import Foundation
import Logging
import ServiceLifecycle

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run job workers only (no HTTP), on the database of ARGUS_DATABASE_URL / ARGUS_DATA_DIR; SIGTERM drains them.")

    func run() async throws {
        let configuration = try ServerConfiguration.fromEnvironment()
        let logger = configuration.makeLogger()
        try await ArgusApplication.runWorkers(configuration: configuration, logger: logger)
    }
}
