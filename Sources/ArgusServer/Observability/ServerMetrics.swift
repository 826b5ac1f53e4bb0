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
