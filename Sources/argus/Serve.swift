import ArgumentParser
import ArgusServer
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (settings from ARGUS_* environment variables; see docs/configuration.md).")

    func run() async throws {
        var logger = Logger(label: "argus")
        logger.logLevel = .info
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let application = try ArgusApplication.make(configuration: configuration, logger: logger)
        try await application.runService()
    }
}
