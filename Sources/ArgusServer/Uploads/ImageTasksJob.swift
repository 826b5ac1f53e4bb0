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
    /// The `remove-background` task's settings (absent in payloads from before it existed).
    var cutout: CutoutSettings? = nil
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
            /// `remove-background`: the share of the image that is the object, and the
            /// result's size and type (its link is in the task's `links`).
            var foreground_share: Double? = nil
            var width: Int? = nil
            var height: Int? = nil
            var content_type: String? = nil
            /// `embed`: the tags the image was given (its vector is kept for search).
            var tags: [TagResult]? = nil
        }
        struct TagResult: Codable, Sendable {
            let label: String
            let score: Double
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
        let names = Set(payload.tasks)
        await job.progress(10, "decoding")
        let bytes = Array(try await dependencies.images.store.get(record.blobKey))
        let runner = TaskRunner(dependencies: dependencies)
        var analysis: TaskRunner.Analysis?
        if names.contains("detect") || names.contains("circles") {
            let detector = names.contains("detect") ? try dependencies.library.detector(for: payload.detector.model) : nil
            analysis = try await runner.analyseWaiting(
                bytes, detect: detector.map { ($0, payload.detector.options) },
                circles: names.contains("circles") ? payload.circles ?? CircleOptions() : nil)
        }
        var tasks: [String: Result.Task] = [:]
        var faces: (width: Int, height: Int, output: FaceOutput, totalMs: Double)?
        if names.contains("faces") {
            await job.progress(40, "finding faces")
            let found = try await TaskRunner.waitingForPool { try await runner.faces(bytes) }
            tasks["faces"] = .init(
                model: "centerface", object_count: found.output.faces.count, inference_ms: found.output.timings.inference,
                total_ms: found.totalMs)
            faces = found
        }
        var cutout: CutoutRenderer.Rendered?
        let cache = DerivedImages(directory: dependencies.images.cacheDirectory)
        if names.contains("remove-background") {
            await job.progress(60, "removing the background")
            let settings = payload.cutout ?? CutoutSettings()
            let rendered = try await CutoutRenderer(dependencies: dependencies).stored(record, settings: settings)
            guard let made = rendered.rendered else { throw PermanentJobFailure("the background removal was not rendered") }
            tasks["remove-background"] = .init(
                model: made.model, object_count: 0, inference_ms: made.inferenceMs, total_ms: made.totalMs,
                foreground_share: made.foregroundShare, width: made.image.width, height: made.image.height,
                content_type: made.image.format.mediaType)
            cutout = made
        }
        var embedded: ImageEmbeddings.Embedded?
        let embeddings = ImageEmbeddings(dependencies: dependencies)
        if names.contains("embed") {
            await job.progress(80, "embedding")
            let made = try await embeddings.embedWaiting(bytes)
            tasks["embed"] = .init(
                model: ImageEmbedder.modelName, object_count: 0, inference_ms: made.embedding.timings.inference,
                total_ms: made.totalMs, tags: made.embedding.tags.map { .init(label: $0.label, score: Double($0.score)) })
            embedded = made
        }
        await job.progress(90, "recording")
        if let detection = analysis?.detection {
            tasks["detect"] = .init(
                model: detection.detector.manifest.id, object_count: detection.output.detections.count,
                inference_ms: detection.output.timings.inference, total_ms: detection.totalMs)
        }
        if let circles = analysis?.circles {
            tasks["circles"] = .init(
                model: circles.name, object_count: circles.found.count, inference_ms: circles.ms, total_ms: circles.ms)
        }
        let result = Result(
            image_id: payload.image_id.lowercased, tasks: tasks, object_count: tasks.values.reduce(0) { $0 + $1.object_count })
        let userId = payload.user_id
        let imageId = payload.image_id
        return JobOutcome(
            result: String(decoding: try JSONCoding.encoder.encode(result), as: UTF8.self),
            write: { [analysis, faces, cutout, embedded] db in
                if let analysis { _ = try await runner.record(analysis, userId: userId, imageId: imageId, on: db) }
                if let faces {
                    _ = try await runner.record(
                        task: .faces, model: "centerface", userId: userId, imageId: imageId, width: faces.width,
                        height: faces.height, inferenceMs: faces.output.timings.inference, totalMs: faces.totalMs, on: db
                    ) { runId in
                        faces.output.faces.map {
                            DetectedObjectRecord.box(
                                Detection(classId: 0, label: "face", confidence: $0.confidence, box: $0.box), runId: runId,
                                imageId: imageId, userId: userId)
                        }
                    }
                }
                if let cutout {
                    _ = try await runner.record(
                        task: .removeBackground, model: cutout.model, userId: userId, imageId: imageId,
                        width: cutout.sourceWidth, height: cutout.sourceHeight, inferenceMs: cutout.inferenceMs,
                        totalMs: cutout.totalMs, on: db
                    ) { _ in [] }
                }
                if let embedded {
                    try await embeddings.store(embedded, imageId: imageId, userId: userId, on: db)
                    _ = try await runner.record(
                        task: .embed, model: ImageEmbedder.modelName, userId: userId, imageId: imageId,
                        width: embedded.width, height: embedded.height, inferenceMs: embedded.embedding.timings.inference,
                        totalMs: embedded.totalMs, on: db
                    ) { _ in [] }
                }
                // A rendering made before these objects existed is stale now (a background
                // removal shows no objects, so it stays).
                if analysis != nil || faces != nil { cache.removeRenderings(imageId: imageId) }
            })
    }
}
