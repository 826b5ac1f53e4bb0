import Hummingbird

/// Refuses a body whose declared length is over its route's limit (413) before a byte of
/// it is read: uploads get the upload limit plus multipart framing, every other route
/// the small JSON limit. Bodies without a length are capped while they are read.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext
    let uploadLimit: Int
    let jsonLimit: Int
    static let uploadRoutes: Set<String> = ["/api/v1/detect", "/api/v1/circles", "/api/v1/images"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let limit = Self.uploadRoutes.contains(request.uri.path) ? uploadLimit + 64 * 1024 : jsonLimit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw RequestBody.tooLarge(limit)
        }
        var context = context
        context.maxUploadSize = limit
        return try await next(request, context)
    }
}
