import Foundation
import HTTPTypes
import Synchronization

/// Who is calling, once a bearer token or API key checked out.
public struct Identity: Sendable {
    public enum Credential: Sendable {
        case accessToken(jti: String, expiresAt: Date)
        case apiKey(id: UUID)
    }

    public let userId: UUID
    public let role: Role
    public let scopes: Set<Scope>
    public let credential: Credential

    public var isAdmin: Bool { role == .admin && scopes.contains(.admin) }

    /// Rate limits are kept per user for tokens and per key for API keys.
    var rateLimitKey: String {
        switch credential {
        case .accessToken: "user:" + userId.uuidString
        case .apiKey(let id): "key:" + id.uuidString
        }
    }

    /// What a role may ever do; a key's scopes are cut down to this at each request.
    static func scopes(for role: Role) -> Set<Scope> {
        role == .admin ? Set(Scope.allCases) : [.read, .write]
    }
}

/// Facts an inner middleware learns that the outer logging middleware reports.
public final class RequestAudit: Sendable {
    private let state = Mutex<String?>(nil)

    public init() {}

    public var userId: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

extension ArgusRequestContext {
    /// The caller, or 401 when there is none; 403 when the credential lacks `scope`.
    func requireIdentity(_ scope: Scope) throws -> Identity {
        guard let identity else {
            throw APIError(
                .unauthorized, code: "unauthorized",
                message: "authentication required: send Authorization: Bearer <access token or API key> or X-API-Key",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        guard identity.scopes.contains(scope) else {
            throw APIError(
                .forbidden, code: "insufficient_scope", message: "this credential lacks the '\(scope.rawValue)' scope")
        }
        return identity
    }

    /// An admin with the admin scope, or 403.
    func requireAdmin() throws -> Identity {
        let identity = try requireIdentity(.read)
        guard identity.isAdmin else {
            throw APIError(.forbidden, code: "forbidden", message: "this route is for administrators")
        }
        return identity
    }
}
