import FluentKit
import Foundation
import Hummingbird

/// `POST/GET /api/v1/api-keys`, `DELETE /api/v1/api-keys/{id}`: machine credentials.
struct APIKeysController {
    let services: AccountServices

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post { request, context in try await create(request, context: context) }
        routes.get { _, context in try await list(context) }
        routes.delete(":id") { _, context in try await delete(context) }
        return routes
    }

    struct CreateRequest: JSONRequestBody {
        let name: String
        let scopes: [String]?
        let expires_in_days: Int?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, scopes, expires_in_days }
    }

    func create(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let body = try await RequestBody.json(CreateRequest.self, from: request, context: context)
        let name = try Accounts.validName(body.name)
        var scopes = Set<Scope>()
        for text in body.scopes ?? ["read", "write"] {
            guard let scope = Scope(rawValue: text) else {
                throw APIError(
                    .unprocessableContent, code: "invalid_scope", message: "unknown scope '\(text)': use read, write or admin")
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else {
            throw APIError(.unprocessableContent, code: "invalid_scope", message: "give at least one scope")
        }
        // A key never gets more than the credential that creates it.
        guard scopes.isSubset(of: identity.scopes) else {
            throw APIError(.forbidden, code: "insufficient_scope", message: "you cannot grant scopes you do not hold")
        }
        var expiresAt: Date?
        if let days = body.expires_in_days {
            guard (1...3650).contains(days) else {
                throw APIError(.unprocessableContent, code: "invalid_expiry", message: "expires_in_days must be 1 to 3650")
            }
            expiresAt = Date().addingTimeInterval(Double(days) * 86400)
        }
        let generated = APIKeyFormat.generate()
        let record = APIKeyRecord(
            userId: identity.userId, name: name, prefix: generated.prefix,
            secretHash: SecretTokens.sha256Hex(generated.key), scopes: scopes, expiresAt: expiresAt)
        try await record.create(on: services.database.db)
        return try JSONResponse.make(APIKeyResponse(record, key: generated.key), status: .created)
    }

    func list(_ context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let records = try await APIKeyRecord.query(on: services.database.db)
            .filter(\.$user.$id == identity.userId).sort(\.$createdAt, .descending).all()
        return try JSONResponse.make(ItemsResponse(items: try records.map { try APIKeyResponse($0) }))
    }

    /// Another user's key is answered like a missing one: 404.
    func delete(_ context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let id = try context.parameters.require("id", as: UUID.self)
        let db = services.database.db
        guard let record = try await APIKeyRecord.find(id, on: db), record.$user.id == identity.userId else {
            throw APIError(.notFound, code: "not_found", message: "no such API key")
        }
        try await record.delete(on: db)
        return Response(status: .noContent)
    }
}
