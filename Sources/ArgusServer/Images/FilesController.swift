import Foundation
import Hummingbird

/// `GET /files/{token}`: a stored file through a signed, expiring link (no credentials:
/// the token is the permission). A forged, altered or expired token answers 404.
struct FilesController {
    let images: ImageServices

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get(":token") { _, context in
            let token = try context.parameters.require("token")
            guard let grant = images.signedURLs.verify(token), await images.store.exists(grant.blobKey) else {
                throw APIError(.notFound, code: "not_found", message: "this link is invalid or has expired")
            }
            let seconds = max(0, grant.expires - Int(Date().timeIntervalSince1970))
            return FileResponse.make(try await images.store.get(grant.blobKey), contentType: grant.contentType, cacheSeconds: seconds)
        }
        return routes
    }
}
