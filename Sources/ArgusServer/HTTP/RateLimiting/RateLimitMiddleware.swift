import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}

/// Limits each caller of one route group: an authenticated caller by user (tokens) or
/// key (API keys), anyone else by client address; sign-in groups always by address.
/// Every answer of the group carries `X-RateLimit-Limit`, `-Remaining` and `-Reset`;
/// a refused one is 429 with `Retry-After`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext

    /// Who shares one budget.
    enum Key: Sendable {
        case caller, address
    }

    let limiter: RateLimiter
    /// The budget's name: groups with the same name share the caller's budget.
    let group: String
    let limit: RateLimit
    let key: Key

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let address = "ip:" + (context.remoteAddress?.ipAddress ?? "unknown")
        let client = key == .address ? address : context.identity?.rateLimitKey ?? address
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
            var apiError = APIError(error)
            for field in headers { apiError.headers[field.name] = field.value }
            throw apiError
        }
    }
}
