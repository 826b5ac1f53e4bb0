import FluentKit
import SQLKit

/// Every schema change, in order. Append new migrations; never edit an applied one.
/// Fluent records applied names in `_fluent_migrations`.
enum ArgusMigrations {
    static let all: [any Migration] = [M001CreateAccounts()]
}

/// Users, refresh tokens, denied access tokens, API keys and login throttles.
struct M001CreateAccounts: AsyncMigration {
    var name: String { "001_create_accounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema(UserRecord.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("disabled", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema(RefreshTokenRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("family_id", .uuid, .required)
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(DeniedAccessTokenRecord.schema)
            .field("jti", .string, .identifier(auto: false))
            .field("expires_at", .datetime, .required)
            .create()
        try await database.schema(APIKeyRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("secret_hash", .string, .required)
            .field("scopes", .string, .required)
            .field("expires_at", .datetime)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "prefix")
            .create()
        try await database.schema(LoginThrottleRecord.schema)
            .field("email", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("locked_until", .datetime)
            .field("updated_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "refresh_tokens_family_idx").on(RefreshTokenRecord.schema).column("family_id").run()
            try await sql.create(index: "api_keys_user_idx").on(APIKeyRecord.schema).column("user_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [
            LoginThrottleRecord.schema, APIKeyRecord.schema, DeniedAccessTokenRecord.schema, RefreshTokenRecord.schema,
            UserRecord.schema,
        ] {
            try await database.schema(schema).delete()
        }
    }
}
