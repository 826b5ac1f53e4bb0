import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let apiKey = HTTPField.Name("X-API-Key")!
}

/// Reads `Authorization: Bearer …` (an access token or an API key) or `X-API-Key` and
/// puts the caller in the context. No credential leaves the request anonymous (routes
/// decide); a bad credential is refused here with 401. Attached to the route groups
/// that take credentials, never to those that hand them out: a stale token must not
/// stop anyone from signing in again.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext
    let authenticator: Authenticator

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let credential = try Self.credential(in: request) else { return try await next(request, context) }
        var context = context
        context.identity = try await Self.identity(credential, authenticator: authenticator)
        context.audit.userId = context.identity?.userId.lowercased
        return try await next(request, context)
    }

    /// The caller `credential` (an access token or an API key) names, or the 401 it gets.
    static func identity(_ credential: String, authenticator: Authenticator) async throws -> Identity {
        do {
            return try await authenticator.identity(bearer: credential)
        } catch let failure as Authenticator.Failure {
            switch failure {
            case .invalid(let message):
                throw APIError(
                    .unauthorized, code: "invalid_credentials", message: message, headers: [.wwwAuthenticate: "Bearer"])
            case .disabled:
                throw APIError(.unauthorized, code: "account_disabled", message: "this account is disabled")
            }
        }
    }

    /// The credential the request carries: `X-API-Key` first (even empty, which is
    /// then refused as a bad key), else a bearer token.
    static func credential(in request: Request) throws -> String? {
        if let key = request.headers[.apiKey] {
            let trimmed = key.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                throw APIError(
                    .unauthorized, code: "invalid_credentials",
                    message: "the X-API-Key header is empty: send a key or leave the header out",
                    headers: [.wwwAuthenticate: "Bearer"])
            }
            return trimmed
        }
        guard let authorization = request.headers[.authorization] else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(
                .unauthorized, code: "invalid_credentials", message: "use Authorization: Bearer <token>",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}
