import Hummingbird

/// Refuses a body whose declared length is over its route group's limit (413) before a
/// byte of it is read, and hands the limit to the routes, which read bodies without a
/// length only up to it.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext
    let limit: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw RequestBody.tooLarge(limit)
        }
        var context = context
        context.maxUploadSize = limit
        return try await next(request, context)
    }
}
