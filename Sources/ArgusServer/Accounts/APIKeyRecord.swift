import FluentKit
import Foundation

/// A machine credential. The secret is shown once; only its SHA-256 and its public
/// prefix are kept. `scopes` is a comma-separated subset of read, write, admin.
final class APIKeyRecord: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "name") var name: String
    @Field(key: "prefix") var prefix: String
    @Field(key: "secret_hash") var secretHash: String
    @Field(key: "scopes") var scopes: String
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userId: UUID, name: String, prefix: String, secretHash: String, scopes: Set<Scope>, expiresAt: Date?) {
        self.$user.id = userId
        self.name = name
        self.prefix = prefix
        self.secretHash = secretHash
        self.scopes = Scope.allCases.filter(scopes.contains).map(\.rawValue).joined(separator: ",")
        self.expiresAt = expiresAt
    }

    var scopeSet: Set<Scope> { Set(scopes.split(separator: ",").compactMap { Scope(rawValue: String($0)) }) }
}

/// What a credential may do: `read` (GET), `write` (create, change, delete, run models),
/// `admin` (the admin routes; only for admins).
public enum Scope: String, Sendable, Codable, CaseIterable {
    case read, write, admin
}
