import ArgusCore
import ArgusVision
import FluentKit
import Foundation

/// The payload of a `detect.batch` job: the detector options and one item per image of
/// the request, stored (`image_id`) or refused when it came in (`error`).
struct DetectBatchPayload: Codable, Sendable {
    struct Item: Codable, Sendable {
        let index: Int
        let filename: String?
        let image_id: UUID?
        let error: String?
    }
    let user_id: UUID
    let detector: DetectorSettings
    let items: [Item]
}

/// The result of a `detect.batch` job: per image, its detections or its error, and a summary.
struct DetectBatchResult: Codable, Sendable {
    struct Item: Codable, Sendable {
        let index: Int
        let filename: String?
        let image_id: String?
        let status: String
        let error: String?
        let object_count: Int?
        let detections: [DetectionRecord]?
    }
    struct Summary: Codable, Sendable {
        let images: Int
        let succeeded: Int
        let failed: Int
        let objects: Int
    }
    let model: String
    let items: [Item]
    let summary: Summary
}

/// Runs the detector on each stored image of a batch, reporting progress per image and
/// going on past an image that fails (recorded with its error). Every run and its
/// objects are written in the transaction that marks the job done, so a batch whose
/// worker died is simply run again.
struct DetectBatchHandler: JobHandler {
    static let kind = "detect.batch"
    let dependencies: ServerDependencies

    var kind: String { Self.kind }
    var softTimeout: Duration { .seconds(25 * 60) }
    var hardTimeout: Duration { .seconds(30 * 60) }

    func run(_ job: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(DetectBatchPayload.self)
        let detector = try dependencies.library.detector(for: payload.detector.model)
        let runner = TaskRunner(dependencies: dependencies)
        let db = dependencies.database.db
        var items: [DetectBatchResult.Item] = []
        var analyses: [(imageId: UUID, analysis: TaskRunner.Analysis)] = []
        for (position, item) in payload.items.enumerated() {
            try Task.checkCancellation()
            func failed(_ message: String) -> DetectBatchResult.Item {
                .init(
                    index: item.index, filename: item.filename, image_id: item.image_id?.lowercased, status: "failed",
                    error: message, object_count: nil, detections: nil)
            }
            if let error = item.error {
                items.append(failed(error))
            } else if let imageId = item.image_id {
                do {
                    guard let record = try await ImageRecord.find(imageId, on: db), record.$user.id == payload.user_id else {
                        throw APIError.notFound("no such image")
                    }
                    let bytes = Array(try await dependencies.images.store.get(record.blobKey))
                    let analysis = try await runner.analyseWaiting(
                        bytes, detect: (detector, payload.detector.options), circles: nil)
                    let detections = analysis.detection?.output.detections ?? []
                    analyses.append((imageId, analysis))
                    items.append(
                        .init(
                            index: item.index, filename: item.filename ?? record.filename, image_id: imageId.lowercased,
                            status: "done", error: nil, object_count: detections.count,
                            detections: detections.map(DetectionRecord.init)))
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    items.append(failed(APIError(error).message))
                }
            }
            await job.progress(
                (position + 1) * 100 / max(1, payload.items.count), "\(position + 1) of \(payload.items.count) images")
        }
        let succeeded = items.filter { $0.status == "done" }
        let result = DetectBatchResult(
            model: detector.manifest.id, items: items,
            summary: .init(
                images: items.count, succeeded: succeeded.count, failed: items.count - succeeded.count,
                objects: succeeded.reduce(0) { $0 + ($1.object_count ?? 0) }))
        let userId = payload.user_id
        let ready = analyses
        return JobOutcome(
            result: String(decoding: try JSONCoding.encoder.encode(result), as: UTF8.self),
            write: { db in
                for (imageId, analysis) in ready {
                    _ = try await runner.record(analysis, userId: userId, imageId: imageId, on: db)
                }
            })
    }
}
