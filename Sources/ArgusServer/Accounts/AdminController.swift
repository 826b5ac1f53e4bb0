import FluentKit
import Foundation
import Hummingbird

/// `GET /api/v1/admin/users`, `PATCH /api/v1/admin/users/{id}`: for administrators only.
struct AdminController {
    let services: AccountServices

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get("users") { request, context in try await list(request, context: context) }
        routes.patch("users/:id") { request, context in try await update(request, context: context) }
        return routes
    }

    struct UserPage: Codable {
        let items: [UserResponse]
        let total: Int
        let limit: Int
        let offset: Int
    }

    func list(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        let parameters = try RequestParameters(request, allowed: ["limit", "offset"])
        let limit = try parameters.integer("limit", default: Self.defaultLimit, in: PageSize.allowed)
        let offset = try parameters.integer("offset", default: 0, in: 0...Self.maxOffset)
        let db = services.database.db
        let total = try await UserRecord.query(on: db).count()
        let users = try await UserRecord.query(on: db).sort(\.$email).range(offset..<(offset + limit)).all()
        return try JSONResponse.make(
            UserPage(items: try users.map(UserResponse.init), total: total, limit: limit, offset: offset))
    }

    struct UpdateRequest: JSONRequestBody {
        let disabled: Bool?
        let role: Role?

        enum CodingKeys: String, CodingKey, CaseIterable { case disabled, role }
    }

    /// Disables or enables an account, or changes its role. Disabling ends its sessions
    /// at once (tokens and keys are checked against the account on every request).
    func update(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await RequestBody.json(UpdateRequest.self, from: request, context: context)
        if id == admin.userId, body.disabled == true || body.role == .user {
            throw APIError.badRequest("self_lockout", "you cannot disable or demote your own account")
        }
        let db = services.database.db
        guard let user = try await UserRecord.find(id, on: db) else { throw UsersController.notFound }
        if let disabled = body.disabled { user.disabled = disabled }
        if let role = body.role { user.role = role.rawValue }
        try await db.transaction { db in
            try await user.save(on: db)
            if user.disabled { try await Sessions(services: services).revokeAll(userId: id, on: db) }
        }
        return try JSONResponse.make(UserResponse(user))
    }

    /// Users per page unless `limit` says otherwise.
    static let defaultLimit = 50

    /// Offsets past this are refused: a page so deep is better reached by filtering.
    static let maxOffset = 1_000_000
}
