import ArgusVision
import Foundation
import Hummingbird

/// `GET /health/live` (the process answers), `GET /health/ready` (the default model is
/// loaded: 503 until then) and `GET /health` (each dependency with its status and timing).
struct HealthController {
    let library: DetectorLibrary
    let pool: InferencePool
    let configuration: ServerConfiguration

    struct Status: ResponseEncodable {
        let status: String
    }

    struct Check: Codable {
        let status: String
        let ms: Double
        var detail: [String: String] = [:]
    }

    struct Report: ResponseEncodable {
        let status: String
        let checks: [String: Check]
    }

    func register(on router: Router<ArgusRequestContext>) {
        router.get("/health/live") { _, _ in Status(status: "ok") }
        router.get("/health/ready") { request, context -> Response in
            let ready = library.loadedIds.contains(configuration.defaultModel)
            var response = try Status(status: ready ? "ready" : "loading").response(from: request, context: context)
            response.status = ready ? .ok : .serviceUnavailable
            return response
        }
        router.get("/health") { _, _ -> Report in report() }
    }

    func report() -> Report {
        let checks = ["models": models(), "storage": storage(), "inference": inference()]
        let healthy = checks.values.allSatisfy { $0.status == "ok" }
        return Report(status: healthy ? "ok" : "degraded", checks: checks)
    }

    private func models() -> Check {
        timed {
            let loaded = library.loadedIds
            let ok = loaded.contains(configuration.defaultModel)
            return (ok, ["default": configuration.defaultModel, "loaded": loaded.joined(separator: ",")])
        }
    }

    /// The data directory accepts a write.
    private func storage() -> Check {
        timed {
            let probe = configuration.dataDirectory + "/.health-\(UUID().uuidString)"
            let ok = FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8))
            try? FileManager.default.removeItem(atPath: probe)
            return (ok, ["path": configuration.dataDirectory])
        }
    }

    private func inference() -> Check {
        timed {
            let load = pool.load
            return (
                true,
                [
                    "running": String(load.running), "waiting": String(load.waiting),
                    "concurrency": String(pool.concurrency), "queue_limit": String(pool.queueLimit),
                ]
            )
        }
    }

    private func timed(_ body: () -> (Bool, [String: String])) -> Check {
        let start = ContinuousClock.now
        let (ok, detail) = body()
        let elapsed = start.duration(to: .now)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return Check(status: ok ? "ok" : "failing", ms: ms, detail: detail)
    }
}
