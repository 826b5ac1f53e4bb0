import ArgumentParser
import Foundation

@main
struct Argus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argus",
        abstract: "Argus: a self-hosted computer-vision server.",
        subcommands: [
            Serve.self, Worker.self, Migrate.self, Users.self, Config.self, OpenAPI.self, Detect.self, Faces.self,
            RemoveBackground.self, Embed.self, Tags.self, Track.self, Models.self,
            Bench.self,
        ])

    /// As ArgumentParser's own, except that a refusal found while a command runs (an
    /// invalid setting, a bad option value) prints that command's usage, not the
    /// top-level one.
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                var synchronous = command
                try synchronous.run()
            }
        } catch let error as ValidationError {
            let type = Swift.type(of: command)
            let name = ([Self.self] as [any ParsableCommand.Type] + Self.path(to: type)).map { $0._commandName }.joined(
                separator: " ")
            printError("Error: \(error)")
            printError("Usage: \(usageString(for: type))")
            printError("  See '\(name) --help' for more information.")
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }

    /// The subcommands from the root down to `type`.
    private static func path(to type: any ParsableCommand.Type) -> [any ParsableCommand.Type] {
        func search(_ commands: [any ParsableCommand.Type]) -> [any ParsableCommand.Type]? {
            for command in commands {
                if command == type { return [command] }
                if let rest = search(command.configuration.subcommands) { return [command] + rest }
            }
            return nil
        }
        return search(configuration.subcommands) ?? []
    }
}
