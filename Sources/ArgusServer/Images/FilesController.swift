import FluentKit
import Foundation
import Hummingbird

/// `GET /files/{token}`: a stored file, an image's annotated rendering, thumbnail or background removal,
/// or a video's annotated MP4 or thumbnail,
/// through a signed, expiring link (no credentials: the token is the permission). A
/// forged, altered or expired token, or a link to a deleted image, answers 404.
struct FilesController {
    let dependencies: ServerDependencies
    var images: ImageServices { dependencies.images }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get(":token") { request, context in try await file(request, context: context) }
        return routes
    }

    static let invalid = APIError.notFound("this link is invalid or has expired")

    func file(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let grant = images.signedURLs.verify(token) else { throw Self.invalid }
        let seconds = max(0, grant.expires - Int(Date().timeIntervalSince1970))
        let data: Data
        switch grant.subject {
        case .blob(let key):
            guard await images.store.exists(key) else { throw Self.invalid }
            data = try await images.store.get(key)
        case .annotated(let imageId):
            data = try await DerivedImageRenderer(dependencies: dependencies).annotated(try await image(imageId))
        case .thumbnail(let imageId, let size):
            data = try await DerivedImageRenderer(dependencies: dependencies).thumbnail(try await image(imageId), size: size)
        case .cutout(let imageId, let token):
            // Made again (and cached) when the cache has lost it.
            guard let settings = CutoutSettings(token: Substring(token)) else { throw Self.invalid }
            data = try await CutoutRenderer(dependencies: dependencies).stored(try await image(imageId), settings: settings).data
        case .video(let videoId, let file):
            // Streamed with Range support, for a <video> element to seek.
            guard try await VideoRecord.find(videoId, on: dependencies.database.db) != nil else { throw Self.invalid }
            let files = dependencies.videoFiles
            return try await FileResponse.stream(
                path: file == .annotated ? files.annotated(videoId) : files.thumbnail(videoId), contentType: grant.contentType,
                request: request, context: context, cacheSeconds: seconds, missing: "this link is invalid or has expired")
        }
        return FileResponse.make(data, contentType: grant.contentType, cacheSeconds: seconds)
    }

    private func image(_ id: UUID) async throws -> ImageRecord {
        guard let record = try await ImageRecord.find(id, on: dependencies.database.db) else { throw Self.invalid }
        return record
    }
}
