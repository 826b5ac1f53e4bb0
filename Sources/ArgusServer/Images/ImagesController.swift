import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import Hummingbird
import NIOCore

/// `/api/v1/images`: upload with tasks, list, get, delete, the file, the annotated
/// rendering, thumbnails, and the objects found. Another user's image answers 404.
struct ImagesController {
    let dependencies: ServerDependencies
    var images: ImageServices { dependencies.images }
    var db: any Database { dependencies.database.db }

    /// Under `ArgusApplication.apiBase`.
    static let path = "/images"

    /// The upload, which runs models (the inference group's body limit and budget).
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
        routes.get(":id/file") { _, context in try await file(context) }
        routes.get(":id/annotated") { _, context in try await annotated(context) }
        routes.get(":id/thumbnail") { request, context in try await thumbnail(request, context: context) }
        routes.get(":id/objects") { _, context in try await objects(context) }
        routes.get(":id/objects/:object_id") { _, context in try await object(context) }
        return routes
    }

    func upload(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let request = try await TaskUpload.read(request, dependencies: dependencies, refusingWhenBusy: true)
        let ingested = try await ImageIntake(dependencies: dependencies).ingest(
            request.upload, userId: identity.userId, detect: request.detect, circles: request.circles,
            reserved: request.reserved)
        switch ingested {
        case .duplicate(let record):
            return try await duplicate(record)
        case .stored(let record, let outcomes):
            var response = try ImageResponse(record, signedURLs: images.signedURLs)
            var results: [String: ImageResponse.TaskResult] = [:]
            for outcome in outcomes { results[outcome.task.rawValue] = try Self.result(outcome) }
            response.duplicate = false
            response.results = results
            response.object_count = results.values.reduce(0) { $0 + $1.objects.count }
            return try JSONResponse.make(response, status: .created)
        }
    }

    /// The same bytes again: nothing new is stored or run; the first upload's record answers.
    private func duplicate(_ record: ImageRecord) async throws -> Response {
        var response = try ImageResponse(record, signedURLs: images.signedURLs)
        response.duplicate = true
        response.objects = try await storedObjects(try record.requireID()).map(ObjectSummary.init)
        response.object_count = response.objects?.count
        return try JSONResponse.make(response, status: .ok)
    }

    static func result(_ outcome: TaskRunner.Outcome) throws -> ImageResponse.TaskResult {
        ImageResponse.TaskResult(
            model: outcome.model, objects: try outcome.objects.map(ObjectSummary.init), inference_ms: outcome.inferenceMs,
            total_ms: outcome.totalMs)
    }

    struct Page: Codable {
        let items: [ImageResponse]
        let next_cursor: String?
    }

    func list(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let query = try ImageListQuery(request)
        let page = try await query.page(userId: identity.userId, on: db)
        let counts = try await objectCounts(page.items.compactMap(\.id))
        let items = try page.items.map { record -> ImageResponse in
            var item = try ImageResponse(record, signedURLs: images.signedURLs)
            item.object_count = counts[try record.requireID()] ?? 0
            return item
        }
        return try JSONResponse.make(Page(items: items, next_cursor: page.next?.token))
    }

    func show(_ context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        var response = try ImageResponse(record, signedURLs: images.signedURLs)
        let objects = try await storedObjects(try record.requireID())
        response.objects = try objects.map(ObjectSummary.init)
        response.object_count = objects.count
        return try JSONResponse.make(response)
    }

    /// Removes the image, its runs, objects, embedding and tags, its cached renderings, and the file when
    /// no other image (of any user) still uses it.
    func delete(_ context: ArgusRequestContext) async throws -> Response {
        try await remove(try await owned(context, scope: .write))
        return Response(status: .noContent)
    }

    func remove(_ record: ImageRecord) async throws {
        let id = try record.requireID()
        try await db.transaction { db in
            try await DetectedObjectRecord.query(on: db).filter(\.$image.$id == id).delete()
            try await InferenceRunRecord.query(on: db).filter(\.$image.$id == id).delete()
            try await ImageEmbeddings(dependencies: dependencies).remove(imageId: id, on: db)
            try await record.delete(on: db)
        }
        if try await ImageRecord.query(on: db).filter(\.$blobKey == record.blobKey).count() == 0 {
            try await images.store.delete(record.blobKey)
        }
        DerivedImages(directory: images.cacheDirectory).remove(imageId: id)
    }

    func file(_ context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        let data = try await images.store.get(record.blobKey)
        var response = FileResponse.make(data, contentType: ImageResponse.mediaType(record.format))
        if let filename = record.filename {
            let ascii = String(filename.unicodeScalars.filter { $0.isASCII && $0 != "\"" && $0 != "\\" }.map(Character.init))
            response.headers[.contentDisposition] = "inline; filename=\"\(ascii)\""
        }
        return response
    }

    /// The image with its stored boxes and circles drawn, as JPEG.
    func annotated(_ context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        return FileResponse.make(
            try await DerivedImageRenderer(dependencies: dependencies).annotated(record), contentType: "image/jpeg")
    }

    /// A JPEG whose longer side is `size` pixels (32-1024, default 256; never upscaled).
    func thumbnail(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        let size = try RequestParameters(request, allowed: ["size"])
            .integer("size", default: DerivedImageRenderer.defaultThumbnailSize, in: DerivedImageRenderer.thumbnailSizes)
        let data = try await DerivedImageRenderer(dependencies: dependencies).thumbnail(record, size: size)
        return FileResponse.make(data, contentType: "image/jpeg")
    }

    func objects(_ context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        return try JSONResponse.make(try await storedObjects(try record.requireID()).map(ObjectSummary.init))
    }

    /// 404 for an unknown object and for an object of another image.
    func object(_ context: ArgusRequestContext) async throws -> Response {
        let record = try await owned(context, scope: .read)
        let objectId = try context.parameters.require("object_id", as: UUID.self)
        guard let object = try await DetectedObjectRecord.find(objectId, on: db), object.$image.id == record.id else {
            throw APIError(.notFound, code: "not_found", message: "no such object in this image")
        }
        return try JSONResponse.make(try ObjectDetail(object))
    }

    /// The caller's image (or any image for an admin); 404 otherwise, as for a missing one.
    func owned(_ context: ArgusRequestContext, scope: Scope) async throws -> ImageRecord {
        let identity = try context.requireIdentity(scope)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let record = try await ImageRecord.find(id, on: db), record.$user.id == identity.userId || identity.isAdmin else {
            throw APIError(.notFound, code: "not_found", message: "no such image")
        }
        return record
    }

    func storedObjects(_ imageId: UUID) async throws -> [DetectedObjectRecord] {
        try await DetectedObjectRecord.stored(imageId: imageId, on: db)
    }

    func objectCounts(_ imageIds: [UUID]) async throws -> [UUID: Int] {
        guard !imageIds.isEmpty else { return [:] }
        let objects = try await DetectedObjectRecord.query(on: db).filter(\.$image.$id ~~ imageIds).all(\.$image.$id)
        return objects.compactMap { $0 }.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
