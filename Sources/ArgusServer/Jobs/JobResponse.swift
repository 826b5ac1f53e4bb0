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

/// Any JSON value, passed through as it is (a job's payload or result).
enum JSONValue: Codable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
