import Foundation

/// A user as the API shows it.
struct UserResponse: Codable {
    let id: String
    let email: String
    let name: String
    let role: Role
    let disabled: Bool
    let created_at: Date?

    init(_ user: UserRecord) throws {
        id = try user.requireID().lowercased
        email = user.email
        name = user.name
        role = user.roleValue
        disabled = user.disabled
        created_at = user.createdAt
    }
}

/// The answer to login and refresh (OAuth2's token response).
struct TokenResponse: Codable {
    let access_token: String
    let refresh_token: String
    let token_type: String
    let expires_in: Int

    init(_ pair: Sessions.TokenPair) {
        access_token = pair.accessToken
        refresh_token = pair.refreshToken
        token_type = "bearer"
        expires_in = pair.expiresIn
    }
}

/// An API key as listed; `key` (the secret) only in the answer that creates it.
struct APIKeyResponse: Codable {
    let id: String
    let name: String
    let prefix: String
    let scopes: [Scope]
    let expires_at: Date?
    let last_used_at: Date?
    let created_at: Date?
    var key: String?

    init(_ record: APIKeyRecord, key: String? = nil) throws {
        id = try record.requireID().lowercased
        name = record.name
        prefix = record.prefix
        scopes = Scope.allCases.filter(record.scopeSet.contains)
        expires_at = record.expiresAt
        last_used_at = record.lastUsedAt
        created_at = record.createdAt
        self.key = key
    }
}

struct ItemsResponse<Item: Codable>: Codable {
    let items: [Item]
}
