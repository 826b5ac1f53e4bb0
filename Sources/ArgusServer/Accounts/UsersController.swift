import FluentKit
import Foundation
import Hummingbird
import SQLKit

/// `GET/PATCH /api/v1/users/me`, `POST /api/v1/users/me/password`, `GET /api/v1/users/{id}`.
struct UsersController {
    let services: AccountServices

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get("me") { _, context in try await me(context) }
        routes.patch("me") { request, context in try await update(request, context: context) }
        routes.post("me/password") { request, context in try await changePassword(request, context: context) }
        routes.get(":id") { _, context in try await user(context) }
        return routes
    }

    /// The most frequent account read: one plain query on the reader connection, no
    /// model load (Fluent's reflection is most of a small request's cost).
    func me(_ context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        guard
            let row = try await services.database.reader.raw(
                "SELECT \(unsafeRaw: UserResponse.columns) FROM \(ident: UserRecord.schema) WHERE id = \(bind: identity.userId)"
            ).first()
        else { throw Self.notFound }
        return try JSONResponse.make(UserResponse(row: row))
    }

    struct UpdateRequest: JSONRequestBody {
        let name: String?
        let email: String?
        let job_emails: Bool?
        let weekly_report: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, email, job_emails, weekly_report }
    }

    func update(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let body = try await RequestBody.json(UpdateRequest.self, from: request, context: context)
        let user = try await load(identity.userId)
        if let name = body.name { user.name = try Accounts.validName(name) }
        if let jobEmails = body.job_emails { user.jobEmails = jobEmails }
        if let weeklyReport = body.weekly_report { user.weeklyReport = weeklyReport }
        if let rawEmail = body.email {
            let email = try Accounts.validEmail(rawEmail)
            if email != user.email {
                let db = services.database.db
                if try await UserRecord.query(on: db).filter(\.$email == email).first() != nil { throw Accounts.emailTaken }
                user.email = email
            }
        }
        do {
            try await user.save(on: services.database.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Accounts.emailTaken
        }
        return try JSONResponse.make(UserResponse(user))
    }

    struct PasswordRequest: JSONRequestBody {
        let current_password: String
        let new_password: String

        enum CodingKeys: String, CodingKey, CaseIterable { case current_password, new_password }
    }

    /// Changes the password and ends every session of the account (refresh tokens).
    func changePassword(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let body = try await RequestBody.json(PasswordRequest.self, from: request, context: context)
        let user = try await load(identity.userId)
        guard try await services.hasher.verify(body.current_password, hash: user.passwordHash) else {
            throw APIError(.forbidden, code: "wrong_password", message: "the current password is incorrect")
        }
        if let problem = PasswordPolicy.problem(with: body.new_password, email: user.email) {
            throw APIError(.unprocessableContent, code: "weak_password", message: problem)
        }
        user.passwordHash = try await services.hasher.hash(body.new_password)
        let db = services.database.db
        try await db.transaction { db in
            try await user.save(on: db)
            try await Sessions(services: services).revokeAll(userId: identity.userId, on: db)
        }
        return Response(status: .noContent)
    }

    /// Self or an admin; anyone else gets the same 404 as for a missing user.
    func user(_ context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let id = try context.parameters.require("id", as: UUID.self)
        guard id == identity.userId || identity.isAdmin, let user = try await UserRecord.find(id, on: services.database.db)
        else { throw Self.notFound }
        return try JSONResponse.make(UserResponse(user))
    }

    private func load(_ id: UUID) async throws -> UserRecord {
        guard let user = try await UserRecord.find(id, on: services.database.db) else { throw Self.notFound }
        return user
    }

    static let notFound = APIError(.notFound, code: "not_found", message: "no such user")
}
