import FluentKit
import Foundation

/// One claim of a job by a worker, from claim to its end (table `job_attempts`): the
/// lease history, which shows that no job was ever held by two workers at once.
final class JobAttemptRecord: Model, @unchecked Sendable {
    static let schema = "job_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "job_id") var jobId: UUID
    @Field(key: "attempt") var attempt: Int
    @Field(key: "worker_id") var workerId: String
    @Field(key: "started_us") var startedMicros: Int64
    @OptionalField(key: "ended_us") var endedMicros: Int64?
    /// `done`, `failed`, `timeout`, `cancelled`, `released` (shutdown) or `lost` (the
    /// lease expired: the worker died or stalled).
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "error") var error: String?

    init() {}
}

/// A worker process's registration (table `workers`), beaten every few seconds.
final class WorkerRecord: Model, @unchecked Sendable {
    static let schema = "workers"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "host") var host: String
    @Field(key: "pid") var pid: Int
    /// Comma-separated job kinds it runs.
    @Field(key: "kinds") var kinds: String
    @Field(key: "concurrency") var concurrency: Int
    @Field(key: "running") var running: Int
    @Field(key: "started_us") var startedMicros: Int64
    @Field(key: "last_beat_us") var lastBeatMicros: Int64
    @OptionalField(key: "stopped_us") var stoppedMicros: Int64?

    init() {}
}
