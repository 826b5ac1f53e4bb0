import FluentKit
import Foundation

/// The `jti` of an access token ended by logout, kept until the token would have expired.
final class DeniedAccessTokenRecord: Model, @unchecked Sendable {
    static let schema = "denied_access_tokens"

    @ID(custom: "jti", generatedBy: .user) var id: String?
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(jti: String, expiresAt: Date) {
        self.id = jti
        self.expiresAt = expiresAt
    }
}
