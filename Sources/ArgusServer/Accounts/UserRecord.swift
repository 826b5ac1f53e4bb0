import FluentKit
import Foundation

/// A person's account. `role` is `user` or `admin`; a disabled account cannot sign in
/// and its tokens and keys stop working.
final class UserRecord: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    /// Lower-cased and trimmed; unique.
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @Field(key: "disabled") var disabled: Bool
    /// Mail when one of the user's jobs finishes or fails.
    @Field(key: "job_emails") var jobEmails: Bool
    /// Mail a summary of the past week every Monday.
    @Field(key: "weekly_report") var weeklyReport: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(email: String, name: String, passwordHash: String, role: Role) {
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.role = role.rawValue
        self.disabled = false
        self.jobEmails = false
        self.weeklyReport = false
    }

    var roleValue: Role { Role(rawValue: role) ?? .user }
}

public enum Role: String, Sendable, Codable, CaseIterable {
    case user, admin
}
