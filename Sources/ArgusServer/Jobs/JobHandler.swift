import FluentKit
import Foundation

/// Runs the jobs of one kind. Handlers are idempotent (a job may run again after its
/// worker died), and write their rows through `JobOutcome.write`, in the transaction that
/// marks the job done.
public protocol JobHandler: Sendable {
    var kind: String { get }
    /// Past this the handler is asked to stop (its task is cancelled).
    var softTimeout: Duration { get }
    /// Past this the attempt fails as `timeout`, whether or not the handler stopped.
    var hardTimeout: Duration { get }
    func run(_ job: JobContext) async throws -> JobOutcome
}

/// What a handler sees of its job.
public struct JobContext: Sendable {
    public let id: UUID
    public let payload: Data
    public let attempt: Int
    let report: @Sendable (Int, String?) async -> Void

    /// The JSON payload as `type`; a payload that cannot be read fails the job for good
    /// (running it again would not help).
    public func decodePayload<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: payload)
        } catch {
            throw PermanentJobFailure("the \(T.self) payload cannot be read: \(error)")
        }
    }

    /// Reports 0-100 and a short message (shown by `GET /api/v1/jobs/{id}`).
    public func progress(_ percent: Int, _ message: String? = nil) async { await report(percent, message) }
}

/// A finished job's result (JSON text) and the rows it writes.
public struct JobOutcome: Sendable {
    public var result: String
    public var write: (@Sendable (any Database) async throws -> Void)?
    /// Empties the payload as the job is marked done: for payloads that hold a secret or
    /// a person's address, which must not stay in the jobs table.
    public var clearsPayload = false

    public init(
        result: String = "{}", clearsPayload: Bool = false, write: (@Sendable (any Database) async throws -> Void)? = nil
    ) {
        self.result = result
        self.clearsPayload = clearsPayload
        self.write = write
    }
}

/// A failure the handler knows is final: the job goes dead at once, without retries.
public struct PermanentJobFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `noop`: waits `sleep_ms` (reporting progress), then succeeds; fails its first
/// `fail_attempts` attempts on purpose. For benchmarks, drills and the fault tests.
struct NoopJobHandler: JobHandler {
    var kind: String { "noop" }
    var softTimeout: Duration { .seconds(240) }
    var hardTimeout: Duration { .seconds(300) }

    struct Payload: Decodable {
        var sleep_ms: Int?
        var fail_attempts: Int?
    }

    func run(_ job: JobContext) async throws -> JobOutcome {
        let payload = (try? JSONDecoder().decode(Payload.self, from: job.payload)) ?? Payload()
        if job.attempt <= (payload.fail_attempts ?? 0) {
            throw PermanentJobFailureOrRetry(message: "failing attempt \(job.attempt) on purpose")
        }
        let total = max(0, min(payload.sleep_ms ?? 0, 3_600_000))
        if total > 0 {
            let steps = 4
            for step in 1...steps {
                try await Task.sleep(for: .milliseconds(total / steps))
                await job.progress(step * 100 / steps)
            }
        }
        return JobOutcome(result: #"{"attempt":\#(job.attempt)}"#)
    }

    struct PermanentJobFailureOrRetry: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
