import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import Hummingbird

/// `/api/v1/videos`: upload a video to be detected and tracked as a `video.track` job,
/// follow it, and fetch its tracks (JSON, MOTChallenge, CSV), annotated MP4 (with Range
/// requests) and thumbnail; delete it. Another user's video answers 404.
struct VideosController {
    let dependencies: ServerDependencies
    var db: any Database { dependencies.database.db }
    var files: VideoFiles { dependencies.videoFiles }

    /// Under `ArgusApplication.apiBase`.
    static let path = "/videos"

    /// The upload, under its own body limit (videos are far larger than images).
    var uploadRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post { request, context in try await upload(request, context: context) }
        return routes
    }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { request, context in try await list(request, context: context) }
        routes.get(":id") { _, context in try await show(context) }
        routes.delete(":id") { _, context in try await delete(context) }
        routes.get(":id/tracks") { request, context in try await tracks(request, context: context) }
        routes.get(":id/annotated") { request, context in try await annotated(request, context: context) }
        routes.get(":id/thumbnail") { request, context in try await thumbnail(request, context: context) }
        return routes
    }

    /// Streams the file to disk, checks it is a video within the limits (magic bytes,
    /// ffprobe, the first frame), stores it and queues its job: `202` with the video.
    func upload(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let limits = dependencies.configuration.videoLimits
        var parameters = try RequestParameters(request, allowed: VideoTrackSettings.names)
        // The query's settings are checked before a byte of the body is read.
        _ = try VideoTrackSettings(parameters: parameters, defaultModel: dependencies.configuration.defaultModel)
        let tools: VideoTools
        do {
            tools = try VideoTools.locate()
        } catch {
            throw APIError(.serviceUnavailable, code: "video_unavailable", message: "\(error)")
        }
        let incoming = try files.incomingFile()
        // Gone already once the video is stored (it was moved).
        defer { try? FileManager.default.removeItem(atPath: incoming) }
        let upload = try await VideoUpload.read(request, into: incoming, maxBytes: limits.maxBytes)
        try parameters.merge(formFields: upload.fields, allowed: VideoTrackSettings.names)
        var settings = try VideoTrackSettings(parameters: parameters, defaultModel: dependencies.configuration.defaultModel)
        let detector = try DetectController.detector(settings.model, in: dependencies.library)
        try settings.resolveClasses(labels: detector.manifest.labels)
        let info: VideoInfo
        do {
            info = try await BlockingWork.run { try tools.probe(path: incoming, limits: limits) }
        } catch let error as VideoError {
            throw Self.apiError(error)
        }

        let (record, job) = try await add(
            incoming, userId: identity.userId, filename: upload.filename, byteSize: upload.byteSize, info: info,
            settings: settings)
        return try JSONResponse.make(
            try VideoResponse(record, job: job, signedURLs: dependencies.images.signedURLs), status: .accepted)
    }

    /// Moves a checked video file from `incoming` into the video store with its settings
    /// and queues its `video.track` job; a failure at any step leaves nothing behind.
    func add(
        _ incoming: String, id: UUID = UUID(), userId: UUID, filename: String?, byteSize: Int, info: VideoInfo,
        settings: VideoTrackSettings
    ) async throws -> (VideoRecord, JobRecord) {
        try files.adopt(incoming, as: id)
        let record = VideoRecord(
            id: id, userId: userId, filename: filename, byteSize: byteSize,
            probe: String(decoding: try JSONCoding.encoder.encode(info), as: UTF8.self),
            settings: String(decoding: try JSONCoding.encoder.encode(settings), as: UTF8.self))
        do {
            try await record.create(on: db)
            var enqueue = JobQueue.Request(
                kind: VideoTrackHandler.kind,
                payload: String(
                    decoding: try JSONCoding.encoder.encode(VideoTrackPayload(video_id: id, user_id: userId)), as: UTF8.self))
            enqueue.userId = userId
            enqueue.idempotencyKey = "video:" + id.lowercased
            enqueue.maxAttempts = 3
            let job = try await dependencies.jobs.enqueue(enqueue)
            record.jobId = try job.requireID()
            try await record.save(on: db)
            return (record, job)
        } catch {
            try? await record.delete(on: db)
            files.remove(id)
            throw error
        }
    }

    /// A refused video: 400 for what is not a video or does not decode, 413 past the limits.
    static func apiError(_ error: VideoError) -> APIError {
        switch error {
        case .empty: APIError.badRequest("empty_file", "\(error)")
        case .notVideo: APIError(.unsupportedMediaType, code: "not_a_video", message: "\(error)")
        case .corrupt: APIError.badRequest("invalid_video", "\(error)")
        case .tooLarge: APIError(.contentTooLarge, code: "video_too_large", message: "\(error)")
        case .toolMissing, .toolFailed, .cancelled:
            APIError(.serviceUnavailable, code: "video_unavailable", message: "\(error)")
        }
    }

    struct Page: Encodable {
        let items: [VideoResponse]
        let next_cursor: String?
    }

    /// The caller's videos, newest first.
    func list(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let parameters = try RequestParameters(request, allowed: ["limit", "cursor"])
        let limit = try parameters.integer("limit", default: PageSize.default, in: PageSize.allowed)
        let (records, next) = try await VideoRecord.query(on: db).filter(\.$user.$id == identity.userId)
            .page(after: try KeysetCursor.parameter(parameters), order: .newestFirst, limit: limit)
        let jobIds = records.compactMap(\.jobId)
        let jobs = jobIds.isEmpty ? [] : try await JobRecord.query(on: db).filter(\.$id ~~ jobIds).all()
        let byId = Dictionary(jobs.compactMap { job in job.id.map { ($0, job) } }, uniquingKeysWith: { first, _ in first })
        let items = try records.map { record in
            try VideoResponse(record, job: record.jobId.flatMap { byId[$0] }, signedURLs: dependencies.images.signedURLs)
        }
        return try JSONResponse.make(Page(items: items, next_cursor: next?.token))
    }

    func show(_ context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        return try JSONResponse.make(try await response(record))
    }

    func response(_ record: VideoRecord) async throws -> VideoResponse {
        let job = try await record.jobId.asyncMap { try await JobRecord.find($0, on: db) } ?? nil
        return try VideoResponse(record, job: job, signedURLs: dependencies.images.signedURLs)
    }

    /// Cancels its job if it is still going, and removes the video, its results and files.
    func delete(_ context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .write)
        let id = try record.requireID()
        if let jobId = record.jobId, let job = try await JobRecord.find(jobId, on: db),
            let status = JobStatus(rawValue: job.status), !status.isFinal
        {
            try await dependencies.jobs.requestCancel(jobId)
        }
        try await db.transaction { db in
            try await VideoTrackHandler.deleteRuns(of: id, on: db)
            try await record.delete(on: db)
        }
        files.remove(id)
        return Response(status: .noContent)
    }

    enum TrackFormat: String, CaseIterable {
        case json, mot, csv
    }

    /// The tracks: `json` (per track, with its box on every frame), `mot` (MOTChallenge
    /// lines) or `csv` (a row per track and frame), streamed from the files the job wrote.
    func tracks(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        let format = try RequestParameters(request, allowed: ["format"]).choice("format", default: TrackFormat.json)
        let id = try await finished(record)
        let (path, type) =
            switch format {
            case .json: (files.tracks(id), "application/json")
            case .mot: (files.folder(id) + "/tracks.mot.txt", "text/plain; charset=utf-8")
            case .csv: (files.folder(id) + "/tracks.csv", "text/csv; charset=utf-8")
            }
        return try await FileResponse.stream(
            path: path, contentType: type, request: request, context: context, missing: "the video's tracks are gone")
    }

    /// The annotated H.264 MP4, with Range requests.
    func annotated(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        let id = try await finished(record)
        guard record.annotatedBytes > 0 else {
            throw APIError.notFound("this video was processed with annotate=false: it has no annotated video")
        }
        return try await FileResponse.stream(
            path: files.annotated(id), contentType: "video/mp4", request: request, context: context,
            missing: "the annotated video is gone")
    }

    /// A JPEG of one frame (annotated when the video was), its longer side at most 320 pixels.
    func thumbnail(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        let id = try await finished(record)
        return try await FileResponse.stream(
            path: files.thumbnail(id), contentType: "image/jpeg", request: request, context: context,
            missing: "the video has no thumbnail")
    }

    /// The video's id once its job is done; 409 while it is still going (or failed).
    private func finished(_ record: VideoRecord) async throws -> UUID {
        guard record.summary != nil else {
            let status = try await response(record).status
            throw APIError(
                .conflict, code: "video_not_ready",
                message: "the video is \(status); its results are there once it is done")
        }
        return try record.requireID()
    }

    /// The caller's video (or any video for an admin); 404 otherwise, as for a missing one.
    func owned(_ context: ArgusRequestContext, scope: Scope) async throws -> VideoRecord {
        let identity = try context.requireIdentity(scope)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let record = try await VideoRecord.find(id, on: db), record.$user.id == identity.userId || identity.isAdmin
        else {
            throw APIError.notFound("no such video")
        }
        return record
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
