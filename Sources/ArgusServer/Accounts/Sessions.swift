import FluentKit
import Foundation
import SQLKit

/// Sign-in, refresh-token rotation and logout.
struct Sessions: Sendable {
    let services: AccountServices

    struct TokenPair: Sendable {
        let accessToken: String
        let refreshToken: String
        let expiresIn: Int
    }

    /// A new access token and a refresh token in `family` (a new family: a new session).
    func issue(userId: UUID, family: UUID = UUID(), on db: any Database) async throws -> TokenPair {
        let refresh = "rt_" + SecretTokens.random(bytes: 32)
        let record = RefreshTokenRecord(
            userId: userId, familyId: family, tokenHash: SecretTokens.sha256Hex(refresh),
            expiresAt: Date().addingTimeInterval(services.settings.refreshTokenLifetime))
        try await record.create(on: db)
        let access = try await services.accessTokens.issue(userId: userId)
        return TokenPair(
            accessToken: access.token, refreshToken: refresh, expiresIn: Int(services.accessTokens.lifetime))
    }

    /// Checks the password; the same 401 for an unknown email and a wrong password.
    func login(email rawEmail: String, password: String) async throws -> TokenPair {
        let email = EmailAddress.normalised(rawEmail) ?? rawEmail.lowercased()
        let throttle = LoginThrottle(services: services)
        if let seconds = try await throttle.lockedFor(email) {
            throw APIError(
                .tooManyRequests, code: "login_locked",
                message: "too many failed sign-ins for this email; try again in \(seconds) s",
                headers: [.retryAfter: String(seconds)])
        }
        let db = services.database.db
        let user = try await UserRecord.query(on: db).filter(\.$email == email).first()
        let matches = try await services.hasher.verify(password, hash: user?.passwordHash)
        guard let user, matches, !user.disabled else {
            try await throttle.recordFailure(email)
            throw APIError(
                .unauthorized, code: "invalid_credentials", message: "email or password is incorrect",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        try await throttle.recordSuccess(email)
        return try await issue(userId: try user.requireID(), on: db)
    }

    /// Spends `token` and returns the next pair. A spent or revoked token revokes its
    /// whole family: someone holds a copy.
    func refresh(_ token: String) async throws -> TokenPair {
        let db = services.database.db
        let invalid = APIError(
            .unauthorized, code: "invalid_refresh_token", message: "the refresh token is invalid, expired or revoked")
        guard
            let record = try await RefreshTokenRecord.query(on: db)
                .filter(\.$tokenHash == SecretTokens.sha256Hex(token)).with(\.$user).first()
        else { throw invalid }
        guard record.expiresAt > Date(), !record.user.disabled else { throw invalid }
        // Spend it atomically: of two concurrent refreshes with one token only one wins.
        let spent = try await (db as! any SQLDatabase).update(RefreshTokenRecord.schema)
            .set("used_at", to: SQLBind(Date()))
            .where("id", .equal, SQLBind(try record.requireID()))
            .where("used_at", .is, SQLLiteral.null)
            .where("revoked_at", .is, SQLLiteral.null)
            .returning("id").all()
        guard !spent.isEmpty else {
            try await revokeFamily(record.familyId, on: db)
            throw APIError(
                .unauthorized, code: "refresh_token_reused",
                message: "this refresh token was already used or revoked; every token of its session is now revoked")
        }
        return try await issue(userId: record.$user.id, family: record.familyId, on: db)
    }

    /// Ends the session: its refresh family is revoked and the access token denied until it expires.
    func logout(identity: Identity, refreshToken: String?) async throws {
        let db = services.database.db
        if let refreshToken,
            let record = try await RefreshTokenRecord.query(on: db)
                .filter(\.$tokenHash == SecretTokens.sha256Hex(refreshToken)).first(),
            record.$user.id == identity.userId
        {
            try await revokeFamily(record.familyId, on: db)
        }
        if case .accessToken(let jti, let expiresAt) = identity.credential {
            try await DeniedAccessTokenRecord(jti: jti, expiresAt: expiresAt).create(on: db)
            // Denials are only needed until the tokens expire.
            try await DeniedAccessTokenRecord.query(on: db).filter(\.$expiresAt < Date()).delete()
        }
    }

    func revokeFamily(_ family: UUID, on db: any Database) async throws {
        try await RefreshTokenRecord.query(on: db)
            .filter(\.$familyId == family).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: Date()).update()
    }

    /// Every session of a user (password change, account disabled).
    func revokeAll(userId: UUID, on db: any Database) async throws {
        try await RefreshTokenRecord.query(on: db)
            .filter(\.$user.$id == userId).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: Date()).update()
    }
}
