import ArgusCore
import ArgusVision
import FluentKit
import Foundation

/// Runs the detect and circles tasks on a decoded image and records each run with its
/// objects (one transaction per run), for the history, stats and image objects.
struct TaskRunner: Sendable {
    let dependencies: ServerDependencies

    enum Task: String, CaseIterable, Sendable {
        case detect, circles
    }

    /// `detect,circles`, `detect`, `circles`, or `none`.
    static func parse(_ text: String?) throws(APIError) -> [Task] {
        guard let text else { return [.detect] }
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if names == ["none"] || names.isEmpty { return [] }
        var tasks: [Task] = []
        for name in names {
            guard let task = Task(rawValue: name) else {
                throw .badRequest("invalid_parameter", "unknown task '\(name)': use detect, circles or none")
            }
            if !tasks.contains(task) { tasks.append(task) }
        }
        return tasks
    }

    struct Outcome: Sendable {
        let task: Task
        let model: String
        let objects: [DetectedObjectRecord]
        let inferenceMs: Double
        let totalMs: Double
    }

    func detect(
        _ image: Image, detector: Detector, options: DetectionOptions, userId: UUID?, imageId: UUID?
    ) async throws -> (output: DetectionOutput, outcome: Outcome?) {
        let start = ContinuousClock.now
        let output = try await InferenceErrors.mapped { try await dependencies.pool.run { try detector.detect(image, options: options) } }
        dependencies.metrics.inferenceFinished(model: detector.manifest.id, milliseconds: output.timings.inference)
        guard let userId else { return (output, nil) }
        let outcome = try await record(
            task: .detect, model: detector.manifest.id, userId: userId, imageId: imageId, image: image,
            inferenceMs: output.timings.inference, totalMs: Self.milliseconds(since: start)
        ) { runId in output.detections.map { DetectedObjectRecord.box($0, runId: runId, imageId: imageId, userId: userId) } }
        return (output, outcome)
    }

    func circles(_ image: Image, options: CircleOptions, userId: UUID?, imageId: UUID?) async throws -> (
        circles: [DetectedCircle], outcome: Outcome?
    ) {
        let detector = dependencies.images.circles
        let start = ContinuousClock.now
        let found: [DetectedCircle]
        if let hough = detector as? HoughCircleDetector {
            // In process: CPU work, so it takes a slot of the bounded pool like a model does.
            found = try await InferenceErrors.mapped { try await dependencies.pool.run { try hough.detectNow(image, options: options) } }
        } else {
            found = try await InferenceErrors.mapped { try await detector.detect(image, options: options) }
        }
        let elapsed = Self.milliseconds(since: start)
        dependencies.metrics.inferenceFinished(model: detector.name, milliseconds: elapsed)
        guard let userId else { return (found, nil) }
        let outcome = try await record(
            task: .circles, model: detector.name, userId: userId, imageId: imageId, image: image, inferenceMs: elapsed,
            totalMs: elapsed
        ) { runId in found.map { DetectedObjectRecord.circle($0, runId: runId, imageId: imageId, userId: userId) } }
        return (found, outcome)
    }

    private func record(
        task: Task, model: String, userId: UUID, imageId: UUID?, image: Image, inferenceMs: Double, totalMs: Double,
        objects: @Sendable (UUID) -> [DetectedObjectRecord]
    ) async throws -> Outcome {
        let run = InferenceRunRecord()
        let runId = UUID()
        run.id = runId
        run.$user.id = userId
        run.$image.id = imageId
        run.task = task.rawValue
        run.model = model
        run.inferenceMs = inferenceMs
        run.totalMs = totalMs
        run.imageWidth = image.width
        run.imageHeight = image.height
        run.createdMicros = .nowMicros
        let records = objects(runId)
        for record in records { record.id = UUID() }
        run.objectCount = records.count
        try await dependencies.database.db.transaction { db in
            try await run.create(on: db)
            if !records.isEmpty { try await records.create(on: db) }
        }
        return Outcome(task: task, model: model, objects: records, inferenceMs: inferenceMs, totalMs: totalMs)
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}

/// Turns refusals and failures of the pool, images and models into API errors.
enum InferenceErrors {
    static func mapped<Result: Sendable>(_ work: () async throws -> Result) async throws -> Result {
        do {
            return try await work()
        } catch InferencePoolError.saturated {
            throw APIError(
                .serviceUnavailable, code: "busy", message: "all inference slots are busy; retry shortly",
                headers: [.retryAfter: "1"])
        } catch let error as ImageError {
            throw DetectController.apiError(for: error)
        } catch let error as InferenceError {
            throw APIError(.internalServerError, code: "inference_failed", message: "\(error)")
        } catch let error as DetectorError {
            throw APIError(.internalServerError, code: "model_error", message: "\(error)")
        } catch let error as RemoteInferenceError {
            throw APIError(.badGateway, code: "circles_backend_failed", message: error.description)
        }
    }
}
