import FluentKit
import Foundation

/// One refresh token, stored as the SHA-256 of its secret. Each refresh spends the token
/// and issues the next one in the same family; presenting a spent token revokes the family.
final class RefreshTokenRecord: Model, @unchecked Sendable {
    static let schema = "refresh_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "family_id") var familyId: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userId: UUID, familyId: UUID, tokenHash: String, expiresAt: Date) {
        self.$user.id = userId
        self.familyId = familyId
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}
