import HTTPTypes
import Hummingbird

/// CORS for the configured origins (`*` for any): simple requests get
/// `Access-Control-Allow-Origin`, preflights are answered here with 204.
struct CORSPolicyMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext
    let origins: [String]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let origin = request.headers[.origin], allows(origin) else { return try await next(request, context) }
        let allowOrigin = origins.contains("*") ? "*" : origin
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: allowOrigin, .vary: "Origin",
                    .accessControlAllowMethods: "GET, POST, PATCH, DELETE, OPTIONS",
                    .accessControlAllowHeaders: "Authorization, Content-Type, X-API-Key, X-Request-ID",
                    .accessControlMaxAge: "600",
                ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowOrigin
        response.headers[.vary] = "Origin"
        response.headers[.accessControlExposeHeaders] =
            "X-Request-ID, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
        return response
    }

    private func allows(_ origin: String) -> Bool { origins.contains("*") || origins.contains(origin) }
}
