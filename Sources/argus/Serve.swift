import ArgumentParser
import ArgusServer
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (settings from ARGUS_* environment variables; see docs/configuration.md).")

    func run() async throws {
        let configuration = try ServerConfiguration.fromEnvironment()
        let application = try await ArgusApplication.make(configuration: configuration, logger: configuration.makeLogger())
        try await application.runService()
    }
}

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the effective configuration (ARGUS_* variables and their defaults), secrets masked.")

    @Flag(help: "Print a JSON object instead of NAME=value lines.")
    var json = false

    @Flag(help: "Print the table of every setting, its default and what it accepts (docs/configuration.md), and stop.")
    var markdown = false

    func run() throws {
        if markdown {
            print(ServerConfiguration.settingsTable, terminator: "")
            return
        }
        let settings = try ServerConfiguration.fromEnvironment().effectiveSettings
        if json {
            let object = Dictionary(uniqueKeysWithValues: settings.map { ($0.name, $0.value) })
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for setting in settings { print("\(setting.name)=\(setting.value)") }
        }
    }
}

extension ServerConfiguration {
    /// The configuration from this process's environment; a bad setting is a usage error naming it.
    static func fromEnvironment() throws -> ServerConfiguration {
        do {
            return try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

struct OpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the OpenAPI 3.1 document the server serves at /openapi.json.")

    func run() throws {
        print(ArgusApplication.openAPIDocument)
    }
}
