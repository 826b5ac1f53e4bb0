import FluentKit
import Foundation

/// Failed sign-ins per normalised email, whether or not an account has it, so a lockout
/// reveals nothing about which emails exist.
final class LoginThrottleRecord: Model, @unchecked Sendable {
    static let schema = "login_throttles"

    @ID(custom: "email", generatedBy: .user) var id: String?
    @Field(key: "failures") var failures: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(email: String) {
        self.id = email
        self.failures = 0
        self.updatedAt = Date()
    }
}
