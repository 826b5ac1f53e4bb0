import FluentKit
import Foundation
import Hummingbird

/// `GET /files/{token}`: a stored file, or an image's annotated rendering, thumbnail or background removal,
/// through a signed, expiring link (no credentials: the token is the permission). A
/// forged, altered or expired token, or a link to a deleted image, answers 404.
struct FilesController {
    let dependencies: ServerDependencies
    var images: ImageServices { dependencies.images }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get(":token") { _, context in try await file(context) }
        return routes
    }

    static let invalid = APIError.notFound("this link is invalid or has expired")

    func file(_ context: ArgusRequestContext) async throws -> Response {
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
        }
        return FileResponse.make(data, contentType: grant.contentType, cacheSeconds: seconds)
    }

    private func image(_ id: UUID) async throws -> ImageRecord {
        guard let record = try await ImageRecord.find(id, on: dependencies.database.db) else { throw Self.invalid }
        return record
    }
}
