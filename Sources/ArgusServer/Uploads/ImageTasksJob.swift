import ArgusCore
import ArgusVision
import FluentKit
import Foundation

/// The payload of an `image.tasks` job: a stored image and the tasks to run on it.
struct ImageTasksPayload: Codable, Sendable {
    let user_id: UUID
    let image_id: UUID
    let tasks: [String]
    let detector: DetectorSettings
    let circles: CircleOptions?
}

/// Runs an asynchronous upload's tasks (`POST /api/v1/uploads`) on its stored image; the
/// runs and objects are written with the job's completion, and the result holds them as
/// a synchronous upload answers them.
struct ImageTasksHandler: JobHandler {
    static let kind = "image.tasks"
    let dependencies: ServerDependencies

    var kind: String { Self.kind }
    var softTimeout: Duration { .seconds(240) }
    var hardTimeout: Duration { .seconds(300) }

    /// Per task: what ran and how long it took; the objects themselves are the image's.
    struct Result: Codable, Sendable {
        struct Task: Codable, Sendable {
            let model: String
            let object_count: Int
            let inference_ms: Double
            let total_ms: Double
        }
        let image_id: String
        let tasks: [String: Task]
        let object_count: Int
    }

    func run(_ job: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(ImageTasksPayload.self)
        guard let record = try await ImageRecord.find(payload.image_id, on: dependencies.database.db) else {
            throw PermanentJobFailure("the image was deleted before its tasks ran")
        }
        await job.progress(10, "decoding")
        let bytes = Array(try await dependencies.images.store.get(record.blobKey))
        let detector = payload.tasks.contains("detect") ? try dependencies.library.detector(for: payload.detector.model) : nil
        let runner = TaskRunner(dependencies: dependencies)
        let analysis = try await runner.analyseWaiting(
            bytes, detect: detector.map { ($0, payload.detector.options) },
            circles: payload.tasks.contains("circles") ? payload.circles ?? CircleOptions() : nil)
        await job.progress(90, "recording")
        var tasks: [String: Result.Task] = [:]
        if let detection = analysis.detection {
            tasks["detect"] = .init(
                model: detection.detector.manifest.id, object_count: detection.output.detections.count,
                inference_ms: detection.output.timings.inference, total_ms: detection.totalMs)
        }
        if let circles = analysis.circles {
            tasks["circles"] = .init(
                model: circles.name, object_count: circles.found.count, inference_ms: circles.ms, total_ms: circles.ms)
        }
        let result = Result(
            image_id: payload.image_id.lowercased, tasks: tasks, object_count: tasks.values.reduce(0) { $0 + $1.object_count })
        let userId = payload.user_id
        let imageId = payload.image_id
        let cache = DerivedImages(directory: dependencies.images.cacheDirectory)
        return JobOutcome(
            result: String(decoding: try JSONCoding.encoder.encode(result), as: UTF8.self),
            write: { db in
                _ = try await runner.record(analysis, userId: userId, imageId: imageId, on: db)
                // A rendering made before these objects existed is stale now.
                cache.remove(imageId: imageId)
            })
    }
}
