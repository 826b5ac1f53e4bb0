import FluentKit
import Foundation

/// Turns a presented credential into an `Identity`, or refuses it.
struct Authenticator: Sendable {
    let services: AccountServices

    enum Failure: Error {
        case invalid(String)
        case disabled
    }

    func identity(bearer token: String) async throws -> Identity {
        if APIKeyFormat.looksLikeKey(token) { return try await identity(apiKey: token) }
        guard let claims = await services.accessTokens.verify(token), let userId = UUID(uuidString: claims.sub.value)
        else { throw Failure.invalid("the access token is invalid or expired") }
        let db = services.database.db
        if try await DeniedAccessTokenRecord.find(claims.jti.value, on: db) != nil {
            throw Failure.invalid("the access token was revoked by logout")
        }
        guard let user = try await UserRecord.find(userId, on: db) else {
            throw Failure.invalid("the access token's account no longer exists")
        }
        guard !user.disabled else { throw Failure.disabled }
        return Identity(
            userId: userId, role: user.roleValue, scopes: Identity.scopes(for: user.roleValue),
            credential: .accessToken(jti: claims.jti.value, expiresAt: claims.exp.value))
    }

    func identity(apiKey key: String) async throws -> Identity {
        guard let prefix = APIKeyFormat.prefix(of: key) else { throw Failure.invalid("the API key is malformed") }
        let db = services.database.db
        guard let record = try await APIKeyRecord.query(on: db).filter(\.$prefix == prefix).with(\.$user).first(),
            SecretTokens.constantTimeEqual(record.secretHash, SecretTokens.sha256Hex(key))
        else { throw Failure.invalid("the API key is not valid") }
        let now = Date()
        if let expiresAt = record.expiresAt, expiresAt <= now { throw Failure.invalid("the API key has expired") }
        guard !record.user.disabled else { throw Failure.disabled }
        // Record use at most once a minute: a write per request would serialise SQLite.
        if record.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            record.lastUsedAt = now
            try await record.save(on: db)
        }
        let role = record.user.roleValue
        return Identity(
            userId: try record.user.requireID(), role: role, scopes: record.scopeSet.intersection(Identity.scopes(for: role)),
            credential: .apiKey(id: try record.requireID()))
    }
}
