import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import Hummingbird

/// `POST /api/v1/detect/batch`: several images in one multipart request (field `images`),
/// or a JSON list of stored image ids, detected by one `detect.batch` job; and
/// `GET /api/v1/detect/jobs/{id}`, that job as `/jobs/{id}` shows it. Uploaded files are
/// stored like any upload's (duplicates answer their first upload); a file that is not
/// a usable image is recorded as its item's error and the others go on.
struct BatchDetectController {
    let dependencies: ServerDependencies
    var configuration: ServerConfiguration { dependencies.configuration }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post("batch") { request, context in try await batch(request, context: context) }
        return routes
    }

    var jobRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get("jobs/:id") { _, context in
            let job = try await JobsController(dependencies: dependencies).owned(context, scope: .read)
            guard job.kind == DetectBatchHandler.kind else { throw APIError.notFound("no such batch job") }
            return try JSONResponse.make(try JobResponse(job))
        }
        return routes
    }

    struct IdsRequest: JSONRequestBody {
        let image_ids: [UUID]

        enum CodingKeys: String, CodingKey, CaseIterable { case image_ids }
    }

    func batch(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let query = try DetectionQuery(
            parameters: try RequestParameters(request, allowed: DetectionQuery.names), defaultModel: configuration.defaultModel)
        let detector = try DetectController.detector(query.model, in: dependencies.library)
        let options = try query.resolvingClasses(labels: detector.manifest.labels)
        let maxImages = configuration.batchMaxImages
        var items: [DetectBatchPayload.Item] = []
        if RequestBody.isJSON(request) {
            // A list of ids is a small JSON body, whatever the batch upload limit.
            var jsonContext = context
            jsonContext.maxUploadSize = min(context.maxUploadSize, configuration.maxJSONBytes)
            let ids = try await RequestBody.json(IdsRequest.self, from: request, context: jsonContext).image_ids
            guard (1...maxImages).contains(ids.count) else {
                throw APIError.badRequest("invalid_json", "image_ids must list 1 to \(maxImages) images")
            }
            let owned = Set(
                try await ImageRecord.query(on: dependencies.database.db).filter(\.$user.$id == identity.userId)
                    .filter(\.$id ~~ ids).all(\.$id))
            for (index, id) in ids.enumerated() {
                items.append(
                    .init(
                        index: index, filename: nil, image_id: owned.contains(id) ? id : nil,
                        error: owned.contains(id) ? nil : "no such image"))
            }
        } else {
            let (files, _) = try await UploadedImage.readFiles(
                from: request, field: "images", maxFiles: maxImages, maxBytes: configuration.maxUploadBytes)
            guard !files.isEmpty else { throw APIError.badRequest("missing_file", "no file in the multipart field 'images'") }
            let intake = ImageIntake(dependencies: dependencies)
            for (index, file) in files.enumerated() {
                do {
                    guard !file.bytes.isEmpty else { throw APIError.badRequest("empty_file", "the uploaded file is empty") }
                    let upload = Upload(bytes: file.bytes, filename: file.filename, fields: [:])
                    let record: ImageRecord
                    switch try await intake.ingest(upload, userId: identity.userId, detect: nil, circles: nil) {
                    case .stored(let stored, _): record = stored
                    case .duplicate(let existing): record = existing
                    }
                    items.append(.init(index: index, filename: file.filename, image_id: try record.requireID(), error: nil))
                } catch let busy as InferencePoolError {
                    throw busy
                } catch {
                    items.append(.init(index: index, filename: file.filename, image_id: nil, error: APIError(error).message))
                }
            }
        }
        let payload = DetectBatchPayload(
            user_id: identity.userId, detector: DetectorSettings(model: detector.manifest.id, options: options), items: items)
        var job = JobQueue.Request(
            kind: DetectBatchHandler.kind, payload: String(decoding: try JSONCoding.encoder.encode(payload), as: UTF8.self))
        job.userId = identity.userId
        job.maxAttempts = 3
        let record = try await dependencies.jobs.enqueue(job, defaultTimeoutSeconds: 30 * 60)
        var response = try JSONResponse.make(try JobResponse(record), status: .accepted)
        response.headers[.location] = ArgusApplication.apiBase + "/detect/jobs/" + (try record.requireID()).lowercased
        return response
    }
}
