import HTTPTypes
import Hummingbird

/// Headers that keep browsers from sniffing, framing or leaking API responses.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext

    static let headers: HTTPFields = [
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("Content-Security-Policy")!: "default-src 'none'; frame-ancestors 'none'",
        HTTPField.Name("Cache-Control")!: "no-store",
    ]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response = try await next(request, context)
        for field in Self.headers where response.headers[field.name] == nil { response.headers[field.name] = field.value }
        return response
    }
}
