import ArgumentParser

@main
struct Argus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argus",
        abstract: "Argus: a self-hosted computer-vision server.",
        subcommands: [Serve.self, Config.self, OpenAPI.self, Detect.self, Models.self, Bench.self])
}
