import Foundation
import SQLKit

/// A user as the API shows it.
struct UserResponse: Codable {
    let id: String
    let email: String
    let name: String
    let role: Role
    let disabled: Bool
    /// Mail when a job of the user's finishes or fails.
    let job_emails: Bool
    /// Mail a summary of the week every Monday.
    let weekly_report: Bool
    let created_at: Date?

    init(_ user: UserRecord) throws {
        id = try user.requireID().lowercased
        email = user.email
        name = user.name
        role = user.roleValue
        disabled = user.disabled
        job_emails = user.jobEmails
        weekly_report = user.weeklyReport
        created_at = user.createdAt
    }

    /// The columns `UsersController.me` selects, read without a model load.
    static let columns = "id, email, name, role, disabled, job_emails, weekly_report, created_at"

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: UUID.self).lowercased
        email = try row.decode(column: "email", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        role = Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .user
        disabled = try row.decode(column: "disabled", as: Bool.self)
        job_emails = try row.decode(column: "job_emails", as: Bool.self)
        weekly_report = try row.decode(column: "weekly_report", as: Bool.self)
        created_at = try row.decode(column: "created_at", as: Date?.self)
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
