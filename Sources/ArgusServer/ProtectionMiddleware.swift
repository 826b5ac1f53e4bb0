import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}

/// Limits each caller per route group: an authenticated caller by user (tokens) or key
/// (API keys), anyone else by client address. Inference and sign-in routes have their
/// own, tighter budgets (sign-in always by address); health and metrics are never limited. Every limited response carries
/// `X-RateLimit-Limit`, `-Remaining` and `-Reset`; a refused one is 429 with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext
    let limiter: RateLimiter
    let limits: RateLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let (group, limit) = limits.limit(for: request.uri.path, method: request.method) else {
            return try await next(request, context)
        }
        let address = "ip:" + (context.remoteAddress?.ipAddress ?? "unknown")
        let client = group == "auth" ? address : context.identity?.rateLimitKey ?? address
        let decision = limiter.take(limit, key: group + "|" + client)
        let headers: HTTPFields = [
            .rateLimitLimit: String(decision.limit), .rateLimitRemaining: String(decision.remaining),
            .rateLimitReset: String(decision.resetSeconds),
        ]
        guard decision.allowed else {
            var fields = headers
            fields[.retryAfter] = String(decision.retryAfterSeconds)
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "too many requests; retry in \(decision.retryAfterSeconds) s", headers: fields)
        }
        // Every answer of a limited route carries the headers, errors included.
        do {
            var response = try await next(request, context)
            for field in headers { response.headers[field.name] = field.value }
            return response
        } catch {
            var apiError = APIError.from(error)
            for field in headers { apiError.headers[field.name] = field.value }
            throw apiError
        }
    }
}

/// The configured limits by route group.
public struct RateLimits: Sendable {
    /// `POST /api/v1/detect`, `/circles` and `/images`: the routes that run a model.
    public var inference: RateLimit? = RateLimit(capacity: 120, period: .seconds(60))
    /// Every other `/api/` route.
    public var api: RateLimit? = RateLimit(capacity: 600, period: .seconds(60))
    /// Sign-up, login and refresh, per client address (password guessing).
    public var auth: RateLimit? = RateLimit(capacity: 30, period: .seconds(60))

    public init() {}

    /// Routes that run a model or a circle detector.
    static let inferenceRoutes: Set<String> = ["/api/v1/detect", "/api/v1/circles", "/api/v1/images"]

    func limit(for path: String, method: HTTPRequest.Method) -> (group: String, limit: RateLimit)? {
        guard path.hasPrefix("/api/") else { return nil }
        if method == .post, Self.inferenceRoutes.contains(path) { return inference.map { ("inference", $0) } }
        if ["/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/auth/refresh"].contains(path) {
            return auth.map { ("auth", $0) }
        }
        return api.map { ("api", $0) }
    }
}

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

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        for field in Self.headers where response.headers[field.name] == nil { response.headers[field.name] = field.value }
        return response
    }
}

/// CORS for the configured origins (`*` for any): simple requests get
/// `Access-Control-Allow-Origin`, preflights are answered here with 204.
struct CORSPolicyMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext
    let origins: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
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
