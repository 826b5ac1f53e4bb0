import Foundation
import Prometheus

/// The server's Prometheus metrics, rendered at `GET /metrics` in the text format.
/// Each application owns one registry, so tests never see another server's numbers.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    /// Seconds: from a fast health check to a slow inference on a big image.
    static let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    private let inFlight: Gauge
    private let openConnections: Gauge
    private let residentMemory: Gauge
    private let liveSessions: Gauge

    public init() {
        inFlight = registry.makeGauge(
            descriptor: .init(
                namespace: "argus", metricName: "http_requests_in_flight", unitName: "",
                helpText: "Requests being served now (open connections doing work)."))
        openConnections = registry.makeGauge(
            descriptor: .init(
                namespace: "argus", metricName: "http_open_connections", unitName: "",
                helpText: "TCP connections open to the HTTP server, busy or idle."))
        residentMemory = registry.makeGauge(
            descriptor: .init(
                namespace: "argus", subsystem: "process", metricName: "resident_memory", unitName: "bytes",
                helpText: "Resident memory of the server process."))
        liveSessions = registry.makeGauge(
            descriptor: .init(
                namespace: "argus", subsystem: "live", metricName: "sessions", unitName: "",
                helpText: "Live detection sessions (GET /api/v1/live) open now."))
    }

    func liveSessionOpened() { liveSessions.increment() }
    func liveSessionClosed() { liveSessions.decrement() }

    /// A live frame was `processed`, `dropped` (a newer one came first) or `rejected` (not a JPEG, or undecodable).
    func liveFrame(_ outcome: String) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "argus", subsystem: "live", metricName: "frames", unitName: "total",
                helpText: "Live frames by outcome: processed, dropped (a newer frame came first), rejected."),
            labels: [("outcome", outcome)]
        ).increment()
    }

    func requestStarted() { inFlight.increment() }

    func connectionOpened() { openConnections.increment() }
    func connectionClosed() { openConnections.decrement() }

    /// `route` is the matched pattern (never the raw path, which would let clients create series).
    func requestFinished(method: String, route: String, status: Int, duration: Duration) {
        inFlight.decrement()
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(
            descriptor: .init(
                namespace: "argus", subsystem: "http", metricName: "requests", unitName: "total",
                helpText: "HTTP requests by method, route and status."),
            labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "argus", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "HTTP request latency by method, route and status."),
            labels: labels, buckets: Self.buckets
        ).record(duration)
    }

    /// The model run alone (preprocessing and decoding excluded).
    func inferenceFinished(model: String, milliseconds: Double) {
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "argus", metricName: "inference_duration", unitName: "seconds",
                helpText: "ONNX Runtime inference latency by model."),
            labels: [("model", model)], buckets: Self.buckets
        ).record(.nanoseconds(Int64(milliseconds * 1_000_000)))
    }

    /// One attempt of a job ended: `done`, `failed` (retried), `dead`, `timeout`,
    /// `cancelled` or `lost`; with how long it ran.
    func jobAttemptFinished(kind: String, outcome: String, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "argus", subsystem: "jobs", metricName: "attempts", unitName: "total",
                helpText: "Job attempts by kind and outcome (done, failed, dead, timeout, cancelled, lost)."),
            labels: [("kind", kind), ("outcome", outcome)]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "argus", subsystem: "jobs", metricName: "attempt_duration", unitName: "seconds",
                helpText: "How long one attempt of a job ran, by kind."),
            labels: [("kind", kind)], buckets: Self.buckets
        ).record(duration)
    }

    /// A job was claimed this long after it was due (enqueue to start, for jobs without a delay).
    func jobStarted(kind: String, latency: Duration) {
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "argus", subsystem: "jobs", metricName: "start_latency", unitName: "seconds",
                helpText: "From when a job was due (enqueued, or its retry time) to its claim, by kind."),
            labels: [("kind", kind)], buckets: Self.buckets
        ).record(latency)
    }

    /// The queue's depth now, by kind and status (set when `/metrics` renders).
    func queueDepth(kind: String, status: String, count: Int) {
        registry.makeGauge(
            descriptor: .init(
                namespace: "argus", subsystem: "jobs", metricName: "jobs", unitName: "",
                helpText: "Jobs in the queue by kind and status (queued, running, done, dead, cancelled)."),
            labels: [("kind", kind), ("status", status)]
        ).set(Double(count))
    }

    /// The exposition text, with process memory read now.
    public func render() -> String {
        if let bytes = Self.residentBytes() { residentMemory.set(Double(bytes)) }
        return registry.emitToString()
    }

    /// Resident set size from /proc/self/statm (pages × page size).
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
