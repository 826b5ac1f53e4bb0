import ArgusVision
import FluentKit
import Foundation
import Hummingbird

/// `GET /health/live` (the process answers), `GET /health/ready` (the default model is
/// loaded, except in a worker process, migrations are applied and the database answers:
/// 503 until then) and
/// `GET /health` (each dependency with its status and timing).
struct HealthController {
    let dependencies: ServerDependencies
    var library: DetectorLibrary { dependencies.library }
    var pool: InferencePool { dependencies.pool }
    var configuration: ServerConfiguration { dependencies.configuration }

    /// False in `argus worker`, which loads no model up front.
    let servesRequests: Bool

    init(dependencies: ServerDependencies, servesRequests: Bool = true) {
        self.dependencies = dependencies
        self.servesRequests = servesRequests
    }

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

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get("live") { _, _ in Status(status: "ok") }
        routes.get("ready") { request, context -> Response in
            let database = await self.database()
            // A worker process loads models when a job needs one: it is ready when its database is.
            let modelReady = !servesRequests || library.loadedIds.contains(configuration.defaultModel)
            let ready = modelReady && database.status == "ok"
            var response = try Status(status: ready ? "ready" : "loading").response(from: request, context: context)
            response.status = ready ? .ok : .serviceUnavailable
            return response
        }
        routes.get { _, _ -> Report in await report() }
        return routes
    }

    func report() async -> Report {
        let checks = [
            "models": models(), "storage": await storage(), "inference": inference(), "database": await database(),
            "circles": await circles(), "jobs": await jobs(), "search": search(),
        ]
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
    /// The file store accepts a synced write.
    private func storage() async -> Check {
        let start = ContinuousClock.now
        var detail = ["path": configuration.storagePath]
        var ok = true
        do {
            try await dependencies.images.store.probe()
        } catch {
            ok = false
            detail["error"] = String(describing: error)
        }
        return Check(status: ok ? "ok" : "failing", ms: Self.milliseconds(since: start), detail: detail)
    }

    /// The circle detector: always up in process; a remote one by its (cached) readiness.
    private func circles() async -> Check {
        let start = ContinuousClock.now
        let detector = dependencies.images.circles
        var detail = ["detector": detector.name]
        var ok = true
        if let remote = detector as? RemoteCircleDetector {
            ok = await remote.client.isReady()
            detail["url"] = remote.client.baseURL
            detail["circuit"] = remote.client.circuitOpen ? "open" : "closed"
        }
        return Check(status: ok ? "ok" : "failing", ms: Self.milliseconds(since: start), detail: detail)
    }

    private func inference() -> Check {
        timed {
            let load = pool.load
            let circles = dependencies.circlePool
            let circleLoad = circles.load
            return (
                true,
                [
                    "running": String(load.running), "waiting": String(load.waiting),
                    "concurrency": String(pool.concurrency), "threads_per_run": String(configuration.inferenceThreads),
                    "queue_limit": String(pool.queueLimit), "line_capacity": String(pool.lineCapacity),
                    "max_wait_s": String(Int(configuration.inferenceMaxWaitSeconds)),
                    "service_ms": String(format: "%.1f", pool.serviceSeconds * 1000),
                    "circles_running": String(circleLoad.running), "circles_waiting": String(circleLoad.waiting),
                    "circles_concurrency": String(circles.concurrency),
                    // A configured GPU that cannot be used stops the server at start (no
                    // silent fallback to the CPU), so this is where every model runs.
                    "execution_provider": Self.providerName(configuration.executionProvider),
                ]
            )
        }
    }

    /// The similarity index and whether the embedding model is installed. Always ok: without
    /// the model only the embed task and the similarity routes answer 503.
    private func search() -> Check {
        timed {
            let path = library.store.directory + "/" + ImageEmbedder.modelFile
            return (
                true,
                [
                    "index": dependencies.similarity.kind, "vectors": String(dependencies.similarity.count),
                    "embedding_model": FileManager.default.fileExists(atPath: path) ? ImageEmbedder.modelName : "not installed",
                ]
            )
        }
    }

    /// The queue's waiting jobs and the workers that beat in the last minute. Always ok:
    /// jobs simply wait while no worker runs.
    private func jobs() async -> Check {
        let start = ContinuousClock.now
        var detail = ["embedded_worker": String(configuration.worker.embedded)]
        do {
            let db = dependencies.database.db
            detail["queued"] = String(try await JobRecord.query(on: db).filter(\.$status == JobStatus.queued.rawValue).count())
            let recent = Int64.nowMicros - 60_000_000
            let workers = try await WorkerRecord.query(on: db).filter(\.$lastBeatMicros >= recent).filter(\.$stoppedMicros == nil)
                .all()
            detail["workers"] = workers.map { "\($0.host):\($0.pid) (\($0.running)/\($0.concurrency) running)" }.joined(
                separator: ", ")
        } catch {
            detail["error"] = String(describing: error)
        }
        return Check(status: "ok", ms: Self.milliseconds(since: start), detail: detail)
    }

    /// A round trip to the database, and no migration left to apply.
    private func database() async -> Check {
        let start = ContinuousClock.now
        var detail = ["kind": configuration.database.kind]
        var ok = false
        do {
            try await dependencies.database.ping()
            let pending = try await dependencies.database.pendingMigrations()
            detail["pending_migrations"] = String(pending.count)
            ok = pending.isEmpty
        } catch {
            detail["error"] = String(describing: error)
        }
        return Check(status: ok ? "ok" : "failing", ms: Self.milliseconds(since: start), detail: detail)
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    static func providerName(_ provider: ExecutionProvider) -> String {
        if case .cuda(let device) = provider { "cuda:\(device)" } else { "cpu" }
    }

    private func timed(_ body: () -> (Bool, [String: String])) -> Check {
        let start = ContinuousClock.now
        let (ok, detail) = body()
        return Check(status: ok ? "ok" : "failing", ms: Self.milliseconds(since: start), detail: detail)
    }
}
