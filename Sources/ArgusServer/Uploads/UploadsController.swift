import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import Hummingbird

/// The asynchronous upload flow: `POST /api/v1/uploads` checks and stores the image at
/// once and answers 202 with the upload's id and its task's; an `image.tasks` job runs
/// the tasks. `GET /api/v1/uploads`, `GET /api/v1/uploads/{id}` and
/// `GET /api/v1/tasks/{task_id}` follow them.
struct UploadsController {
    let dependencies: ServerDependencies
    var configuration: ServerConfiguration { dependencies.configuration }
    var db: any Database { dependencies.database.db }

    var uploadRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post { request, context in try await upload(request, context: context) }
        return routes
    }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { request, context in try await list(request, context: context) }
        routes.get(":id") { _, context in try await show(context) }
        return routes
    }

    var taskRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get(":task_id") { _, context in try await task(context) }
        return routes
    }

    /// `{"upload_id", "task_id", "status"}`, and where to follow them.
    struct Accepted: Encodable {
        let upload_id: String
        let task_id: String?
        let status: String
        let duplicate: Bool
        let links: [String: String]
    }

    func upload(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let request = try await TaskUpload.read(request, dependencies: dependencies, refusingWhenBusy: false)
        return try await accept(
            request.upload, userId: identity.userId, tasks: request.tasks,
            detector: DetectorSettings(model: request.model, options: request.detectOptions), circles: request.circles,
            cutout: request.cutout)
    }

    /// Checks and stores `upload` and queues its tasks as one `image.tasks` job: the
    /// upload flow's answer, `202 {"upload_id", "task_id", "status"}` (200 for a file the
    /// user already stored: its first upload's task answers).
    func accept(
        _ upload: Upload, userId: UUID, tasks: [TaskRunner.Task], detector: DetectorSettings, circles: CircleOptions?,
        cutout: CutoutSettings?
    ) async throws -> Response {
        if tasks.contains(.removeBackground) {
            let header = try ImageHeader.read(upload.bytes)
            let upright = header.orientedSize
            try configuration.background.limits.check(width: upright.width, height: upright.height)
        }
        let record: ImageRecord
        var duplicate = false
        switch try await ImageIntake(dependencies: dependencies).ingest(upload, userId: userId, detect: nil, circles: nil) {
        case .stored(let stored, _): record = stored
        case .duplicate(let existing):
            record = existing
            duplicate = true
        }
        let imageId = try record.requireID()
        // One task job per image and task list: a duplicate answers the first upload's task.
        var job: JobRecord?
        if !tasks.isEmpty {
            let payload = ImageTasksPayload(
                user_id: userId, image_id: imageId, tasks: tasks.map(\.rawValue), detector: detector, circles: circles,
                cutout: tasks.contains(.removeBackground) ? cutout ?? CutoutSettings() : nil)
            var enqueue = JobQueue.Request(
                kind: ImageTasksHandler.kind, payload: String(decoding: try JSONCoding.encoder.encode(payload), as: UTF8.self))
            enqueue.userId = userId
            enqueue.idempotencyKey = Self.idempotencyKey(imageId: imageId, tasks: tasks)
            job = try await dependencies.jobs.enqueue(enqueue)
        } else if duplicate {
            job = try await taskJob(of: imageId)
        }
        let base = ArgusApplication.apiBase
        var links = [
            "upload": base + "/uploads/" + imageId.lowercased, "image": base + ImagesController.path + "/" + imageId.lowercased,
        ]
        if let job { links["task"] = base + "/tasks/" + (try job.requireID()).lowercased }
        let body = Accepted(
            upload_id: imageId.lowercased, task_id: try job?.requireID().lowercased, status: job?.status ?? "stored",
            duplicate: duplicate, links: links)
        return try JSONResponse.make(body, status: duplicate ? .ok : .accepted)
    }

    /// `image:<id>` for the detection and circle tasks (as before the other tasks
    /// existed); the list of tasks is added when it holds any other.
    static func idempotencyKey(imageId: UUID, tasks: [TaskRunner.Task]) -> String {
        let key = "image:" + imageId.lowercased
        return tasks.allSatisfy(TaskRunner.Task.synchronous.contains)
            ? key : key + ":" + tasks.map(\.rawValue).joined(separator: ",")
    }

    func taskJob(of imageId: UUID) async throws -> JobRecord? {
        try await JobRecord.query(on: db).filter(\.$kind == ImageTasksHandler.kind)
            .filter(\.$idempotencyKey =~ ("image:" + imageId.lowercased)).sort(\.$createdMicros, .descending).first()
    }

    /// A task as the upload flow shows it.
    struct TaskResponse: Encodable {
        let task_id: String
        let upload_id: String?
        let status: String
        let progress: Int
        let progress_message: String?
        let attempts: Int
        let error: String?
        /// From the last claim to the end, in milliseconds.
        let processing_ms: Double?
        let result: ImageTasksHandler.Result?
        /// The image's objects, once the tasks are done.
        let objects: [ObjectSummary]?
        /// Signed links to the stored file and its renderings.
        let links: [String: String]
    }

    func taskResponse(_ job: JobRecord) async throws -> TaskResponse {
        let payload = try? JSONDecoder().decode(ImageTasksPayload.self, from: Data(job.payload.utf8))
        let result = job.result.flatMap { try? JSONDecoder().decode(ImageTasksHandler.Result.self, from: Data($0.utf8)) }
        var links: [String: String] = [:]
        var objects: [ObjectSummary]?
        if let imageId = payload?.image_id, let image = try await ImageRecord.find(imageId, on: db) {
            let image = try ImageResponse(image, signedURLs: dependencies.images.signedURLs)
            links = ["file_url": image.file_url, "annotated_url": image.annotated_url, "thumbnail_url": image.thumbnail_url]
            if let cutout = payload?.cutout, job.status == JobStatus.done.rawValue {
                links["remove_background_url"] = dependencies.images.signedURLs.path(
                    .cutout(imageId: imageId, settings: cutout.token), contentType: cutout.cutoutFormat.mediaType)
            }
            if job.status == JobStatus.done.rawValue {
                objects = try await DetectedObjectRecord.stored(imageId: imageId, on: db).map(ObjectSummary.init)
            }
        }
        let processing = job.startedMicros.flatMap { started in job.finishedMicros.map { Double($0 - started) / 1000 } }
        return TaskResponse(
            task_id: try job.requireID().lowercased, upload_id: payload?.image_id.lowercased, status: job.status,
            progress: job.progress, progress_message: job.progressMessage, attempts: job.attempts, error: job.lastError,
            processing_ms: processing, result: result, objects: objects, links: links)
    }

    func task(_ context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let id = try context.parameters.require("task_id", as: UUID.self)
        guard let job = try await JobRecord.find(id, on: db), job.kind == ImageTasksHandler.kind,
            job.userId == identity.userId || identity.isAdmin
        else { throw APIError.notFound("no such task") }
        return try JSONResponse.make(try await taskResponse(job))
    }

    /// An upload: the image, and its task.
    struct UploadResponse: Encodable {
        let upload_id: String
        let image: ImageResponse
        let task: TaskResponse?
    }

    func show(_ context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let record = try await ImageRecord.find(id, on: db), record.$user.id == identity.userId || identity.isAdmin else {
            throw APIError.notFound("no such upload")
        }
        let task: TaskResponse?
        if let job = try await taskJob(of: id) { task = try await taskResponse(job) } else { task = nil }
        return try JSONResponse.make(
            UploadResponse(
                upload_id: id.lowercased, image: try ImageResponse(record, signedURLs: dependencies.images.signedURLs),
                task: task))
    }

    struct Page: Encodable {
        let items: [TaskResponse]
        let next_cursor: String?
    }

    /// The caller's asynchronous uploads, newest first, each as its task.
    func list(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let parameters = try RequestParameters(request, allowed: ["limit", "cursor"])
        let limit = try parameters.integer("limit", default: PageSize.default, in: PageSize.allowed)
        let (jobs, next) = try await JobRecord.query(on: db).filter(\.$userId == identity.userId)
            .filter(\.$kind == ImageTasksHandler.kind)
            .page(after: try KeysetCursor.parameter(parameters), order: .newestFirst, limit: limit)
        var items: [TaskResponse] = []
        for job in jobs { items.append(try await taskResponse(job)) }
        return try JSONResponse.make(Page(items: items, next_cursor: next?.token))
    }
}
