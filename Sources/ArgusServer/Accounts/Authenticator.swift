import FluentKit
import Foundation
import SQLKit

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
        // Every request with a token asks this: one plain query for the account and the
        // denial list, not two model loads.
        let row = try await services.database.reader.raw(
            """
            SELECT role, CASE WHEN disabled THEN 1 ELSE 0 END AS disabled, \
            (SELECT COUNT(*) FROM \(ident: DeniedAccessTokenRecord.schema) WHERE jti = \(bind: claims.jti.value)) AS denied \
            FROM users WHERE id = \(bind: userId)
            """
        ).first()
        guard let row else { throw Failure.invalid("the access token's account no longer exists") }
        if try row.decode(column: "denied", as: Int.self) > 0 {
            throw Failure.invalid("the access token was revoked by logout")
        }
        guard try row.decode(column: "disabled", as: Int.self) == 0 else { throw Failure.disabled }
        let role = Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .user
        return Identity(
            userId: userId, role: role, scopes: Identity.scopes(for: role),
            credential: .accessToken(jti: claims.jti.value, expiresAt: claims.exp.value))
    }

    func identity(apiKey key: String) async throws -> Identity {
        guard let prefix = APIKeyFormat.prefix(of: key) else { throw Failure.invalid("the API key is malformed") }
        // As for tokens: one plain query for the key and its account, on the reader. Fluent's
        // model loads (reflection, two queries) cost 20 times bare Hummingbird per request.
        let row = try await services.database.reader.raw(
            """
            SELECT k.id, k.user_id, k.secret_hash, k.scopes, k.expires_at, k.last_used_at, u.role,             CASE WHEN u.disabled THEN 1 ELSE 0 END AS disabled             FROM \(ident: APIKeyRecord.schema) k JOIN users u ON u.id = k.user_id WHERE k.prefix = \(bind: prefix)
            """
        ).first()
        guard let row,
            SecretTokens.constantTimeEqual(try row.decode(column: "secret_hash", as: String.self), SecretTokens.sha256Hex(key))
        else { throw Failure.invalid("the API key is not valid") }
        let now = Date()
        if let expiresAt = try row.decode(column: "expires_at", as: Date?.self), expiresAt <= now {
            throw Failure.invalid("the API key has expired")
        }
        guard try row.decode(column: "disabled", as: Int.self) == 0 else { throw Failure.disabled }
        let keyId = try row.decode(column: "id", as: UUID.self)
        // Record use at most once a minute: a write per request would serialise SQLite.
        if try row.decode(column: "last_used_at", as: Date?.self).map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await services.database.sql.update(APIKeyRecord.schema).set("last_used_at", to: now).where("id", .equal, keyId)
                .run()
        }
        let role = Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .user
        let scopes = Set(
            try row.decode(column: "scopes", as: String.self).split(separator: ",").compactMap { Scope(rawValue: String($0)) })
        return Identity(
            userId: try row.decode(column: "user_id", as: UUID.self), role: role,
            scopes: scopes.intersection(Identity.scopes(for: role)), credential: .apiKey(id: keyId))
    }
}
