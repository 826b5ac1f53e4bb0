import Foundation

/// A job as the API shows it.
struct JobResponse: Encodable {
    let id: String
    let kind: String
    let status: String
    let priority: Int
    let attempts: Int
    let max_attempts: Int
    let progress: Int
    let progress_message: String?
    let last_error: String?
    /// The handler's result, once done.
    let result: JSONValue?
    let cancel_requested: Bool
    let created_at: Date
    let run_at: Date
    let started_at: Date?
    let finished_at: Date?

    init(_ job: JobRecord) throws {
        id = try job.requireID().lowercased
        kind = job.kind
        status = job.status
        priority = job.priority
        attempts = job.attempts
        max_attempts = job.maxAttempts
        progress = job.progress
        progress_message = job.progressMessage
        last_error = job.lastError
        result = job.result.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        cancel_requested = job.cancelRequested
        created_at = Self.date(job.createdMicros)
        run_at = Self.date(job.runAtMicros)
        started_at = job.startedMicros.map(Self.date)
        finished_at = job.finishedMicros.map(Self.date)
    }

    static func date(_ micros: Int64) -> Date { Date(timeIntervalSince1970: Double(micros) / 1_000_000) }
}
