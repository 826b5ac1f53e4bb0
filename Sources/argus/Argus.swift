import ArgumentParser

@main
struct Argus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argus",
        abstract: "Argus: a self-hosted computer-vision server.",
        subcommands: [Serve.self, Migrate.self, Users.self, Config.self, OpenAPI.self, Detect.self, Models.self, Bench.self])
}
