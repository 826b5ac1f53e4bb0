import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import Hummingbird
import SQLKit

/// `GET /api/v1/detect/history` (the caller's runs, newest first, with their objects) and
/// `GET /api/v1/stats` (counts per label, per day and per model, latency percentiles, and
/// the videos tracked).
struct HistoryController {
    let dependencies: ServerDependencies
    var db: any Database { dependencies.database.db }

    var historyRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { request, context in try await history(request, context: context) }
        return routes
    }

    var statsRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { request, context in try await stats(request, context: context) }
        return routes
    }

    struct Run: Codable {
        let id: String
        let task: String
        let model: String
        let image_id: String?
        /// The video a `track` run tracked (its objects are the tracks).
        let video_id: String?
        let image: [String: Int]
        let object_count: Int
        let inference_ms: Double
        let total_ms: Double
        let created_at: Date?
        let objects: [ObjectSummary]
    }

    struct HistoryPage: Codable {
        let items: [Run]
        let next_cursor: String?
    }

    func history(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let parameters = try RequestParameters(request, allowed: ["limit", "cursor", "task"])
        let limit = try parameters.integer("limit", default: PageSize.default, in: PageSize.allowed)
        var query = InferenceRunRecord.query(on: db).filter(\.$user.$id == identity.userId)
        if let task = parameters["task"] {
            guard TaskRunner.Task(rawValue: task) != nil else {
                throw APIError.badRequest(
                    "invalid_parameter", "task must be " + TaskRunner.Task.allCases.map(\.rawValue).joined(separator: ", "))
            }
            query = query.filter(\.$task == task)
        }
        let (runs, next) = try await query.page(after: try KeysetCursor.parameter(parameters), order: .newestFirst, limit: limit)
        let ids = runs.compactMap(\.id)
        let objects =
            ids.isEmpty
            ? []
            : try await DetectedObjectRecord.query(on: db).filter(\.$run.$id ~~ ids)
                .sort(\.$confidence, .descending).all()
        let byRun = Dictionary(grouping: objects) { $0.$run.id }
        let items = try runs.map { run in
            Run(
                id: try run.requireID().lowercased, task: run.task, model: run.model, image_id: run.$image.id?.lowercased,
                video_id: run.videoId?.lowercased,
                image: ["width": run.imageWidth, "height": run.imageHeight], object_count: run.objectCount,
                inference_ms: run.inferenceMs, total_ms: run.totalMs, created_at: run.createdAt,
                objects: try (byRun[try run.requireID()] ?? []).map(ObjectSummary.init))
        }
        return try JSONResponse.make(HistoryPage(items: items, next_cursor: next?.token))
    }

    struct Stats: Codable {
        struct Latency: Codable {
            let count: Int
            let p50: Double?
            let p90: Double?
            let p99: Double?
        }
        let days: Int
        let runs: Int
        let images: Int
        let objects_per_label: [String: Int]
        let runs_per_day: [String: Int]
        let runs_per_model: [String: Int]
        let inference_ms: [String: Latency]
        let videos: Videos
    }

    /// Videos uploaded in the window: how many, how many are done, and what tracking found.
    struct Videos: Codable {
        let uploaded: Int
        let done: Int
        let frames: Int
        let processing_seconds: Double
        let tracks_per_label: [String: Int]
    }

    /// The statistics' window in days.
    static let days = 1...365
    static let defaultDays = 30

    /// Over the last `days` (1-365, default 30).
    func stats(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let days = try RequestParameters(request, allowed: ["days"]).integer("days", default: Self.defaultDays, in: Self.days)
        let since = Date().addingTimeInterval(-Double(days) * 86_400)
        // A video's tracking run is counted under `videos` (its inference time is a whole
        // video's, which per-model latencies of single images must not mix in).
        let track = TaskRunner.Task.track.rawValue
        let runs = try await InferenceRunRecord.query(on: db).filter(\.$user.$id == identity.userId)
            .filter(\.$task != track).filter(\.$createdAt >= since).field(\.$id).field(\.$model).field(\.$inferenceMs).field(
                \.$createdAt
            ).all()
        // Per label in SQL: the objects can be many more than the runs.
        let labelRows = try await dependencies.database.sql.select()
            .column("label").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(DetectedObjectRecord.schema)
            .where("user_id", .equal, SQLBind(identity.userId))
            .where("created_at", .greaterThanOrEqual, SQLBind(since))
            .where("kind", .notEqual, SQLBind(track))
            .groupBy("label").all()
        var perLabel: [String: Int] = [:]
        for row in labelRows {
            perLabel[try row.decode(column: "label", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        let dayFormat = Date.ISO8601FormatStyle().year().month().day()
        var perDay: [String: Int] = [:]
        var perModel: [String: Int] = [:]
        var latencies: [String: [Double]] = [:]
        for run in runs {
            if let created = run.createdAt { perDay[created.formatted(dayFormat), default: 0] += 1 }
            perModel[run.model, default: 0] += 1
            latencies[run.model, default: []].append(run.inferenceMs)
        }
        let images = try await ImageRecord.query(on: db).filter(\.$user.$id == identity.userId).filter(\.$createdAt >= since)
            .count()
        return try JSONResponse.make(
            Stats(
                days: days, runs: runs.count, images: images, objects_per_label: perLabel, runs_per_day: perDay,
                runs_per_model: perModel, inference_ms: latencies.mapValues(Self.latency),
                videos: try await videoStats(userId: identity.userId, since: since)))
    }

    func videoStats(userId: UUID, since: Date) async throws -> Videos {
        let videos = try await VideoRecord.query(on: db).filter(\.$user.$id == userId).filter(\.$createdAt >= since)
            .field(\.$id).field(\.$summary).all()
        let summaries = videos.compactMap { video in
            video.summary.flatMap { try? JSONCoding.decoder.decode(VideoProcessingSummary.self, from: Data($0.utf8)) }
        }
        var perLabel: [String: Int] = [:]
        for summary in summaries { perLabel.merge(summary.uniqueTracks, uniquingKeysWith: +) }
        return Videos(
            uploaded: videos.count, done: summaries.count, frames: summaries.reduce(0) { $0 + $1.frames },
            processing_seconds: NumberFormat.derived(summaries.reduce(0) { $0 + $1.processingSeconds }),
            tracks_per_label: perLabel)
    }

    /// Nearest-rank percentiles.
    static func latency(_ values: [Double]) -> Stats.Latency {
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double? {
            sorted.isEmpty ? nil : sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
        }
        return Stats.Latency(count: sorted.count, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99))
    }
}
