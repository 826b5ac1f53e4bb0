import FluentKit
import Foundation

/// Creating and changing accounts, shared by the HTTP routes and `argus users`.
public struct Accounts: Sendable {
    let services: AccountServices

    public init(services: AccountServices) {
        self.services = services
    }

    func createUser(email rawEmail: String, password: String, name: String?, role: Role) async throws -> UserRecord {
        let email = try Self.validEmail(rawEmail)
        if let problem = PasswordPolicy.problem(with: password, email: email) {
            throw APIError(.unprocessableContent, code: "weak_password", message: problem)
        }
        let displayName = try Self.validName(name ?? String(email.split(separator: "@")[0]))
        let db = services.database.db
        if try await UserRecord.query(on: db).filter(\.$email == email).first() != nil { throw Self.emailTaken }
        let user = UserRecord(
            email: email, name: displayName, passwordHash: try await services.hasher.hash(password), role: role)
        do {
            try await user.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two sign-ups with one email at once: the unique index decides.
            throw Self.emailTaken
        }
        return user
    }

    /// `argus users create`: the user's id, creating or promoting as asked.
    public func createUser(email: String, password: String, name: String?, admin: Bool) async throws -> UUID {
        try await createUser(email: email, password: password, name: name, role: admin ? .admin : .user).requireID()
    }

    static let emailTaken = APIError(.conflict, code: "email_taken", message: "an account with this email already exists")

    static func validEmail(_ text: String) throws -> String {
        guard let email = EmailAddress.normalised(text) else {
            throw APIError(.unprocessableContent, code: "invalid_email", message: "'\(text.prefix(80))' is not an email address")
        }
        return email
    }

    static func validName(_ text: String) throws -> String {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count), !name.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw APIError(.unprocessableContent, code: "invalid_name", message: "name must be 1 to 100 characters on one line")
        }
        return name
    }
}

extension Accounts {
    /// `argus users promote|demote`: sets the role of the account with `email`.
    public func setRole(email rawEmail: String, admin: Bool) async throws {
        let email = try Self.validEmail(rawEmail)
        guard let user = try await UserRecord.query(on: services.database.db).filter(\.$email == email).first() else {
            throw APIError(.notFound, code: "not_found", message: "no account with the email \(email)")
        }
        user.role = (admin ? Role.admin : Role.user).rawValue
        try await user.save(on: services.database.db)
    }

    /// `argus users list`: every account as (id, email, role, disabled), by email.
    public func list() async throws -> [(id: UUID, email: String, role: String, disabled: Bool)] {
        try await UserRecord.query(on: services.database.db).sort(\.$email).all().map {
            (try $0.requireID(), $0.email, $0.role, $0.disabled)
        }
    }
}

extension APIError: CustomStringConvertible {
    public var description: String { message }
}
