import FluentKit
import Foundation

/// One password-reset token, stored as the SHA-256 of its secret (the secret itself is
/// only in the mail). Works once, until `expires_at`.
final class PasswordResetTokenRecord: Model, @unchecked Sendable {
    static let schema = "password_reset_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userId: UUID, tokenHash: String, expiresAt: Date) {
        self.$user.id = userId
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}
