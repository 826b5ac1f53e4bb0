import Foundation
import Logging
import NIOPosix
import PostgresKit
import PostgresNIO

/// On PostgreSQL, `LISTEN argus_jobs` on a connection of its own: every enqueue (in any
/// process) sends `NOTIFY argus_jobs`, so an idle worker starts a new job within
/// milliseconds instead of at its next poll. The connection is made again after a
/// failure; polling covers the gap.
struct PostgresJobListener: Sendable {
    static let channel = "argus_jobs"
    let url: String
    let signal: JobSignal
    let logger: Logger

    func run() async {
        var delay: Duration = .milliseconds(200)
        while !Task.isCancelled {
            do {
                let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
                ).get()
                delay = .milliseconds(200)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await _ in notifications { signal.fire() }
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("job notifications stopped", metadata: ["error": .string("\(error)")]) }
                }
                try? await connection.close()
            } catch {
                if !Task.isCancelled {
                    logger.warning("cannot listen for job notifications", metadata: ["error": .string("\(error)")])
                }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(10))
        }
    }
}
