/// How a worker runs: `ARGUS_WORKER_*` and `ARGUS_JOB_*` settings.
public struct WorkerSettings: Sendable {
    /// `argus serve` runs a worker in process unless this is false.
    public var embedded = true
    /// Jobs one worker runs at once.
    public var concurrency = 2
    /// How often an idle worker looks for jobs enqueued by other processes.
    public var pollMilliseconds = 100
    /// A running job's lease; its worker renews it every third of this.
    public var leaseSeconds = 30
    /// At shutdown, how long running jobs may take to finish before they are given back.
    public var drainSeconds = 30
    /// The first retry's ceiling; each further retry doubles it (full jitter, capped at 10 min).
    public var retryBaseMilliseconds = 2000
    /// `argus worker` serves `/metrics` and `/health` on this port of `ARGUS_HOST`; 0: not at all.
    public var metricsPort = 0

    public init() {}

    var lease: Duration { .seconds(leaseSeconds) }
    var poll: Duration { .milliseconds(pollMilliseconds) }
}
