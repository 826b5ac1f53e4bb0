import FluentKit
import Foundation
import Hummingbird

/// `/api/v1/webhooks`: the caller's webhooks (create, list, delete) and their deliveries.
struct WebhooksController {
    let dependencies: ServerDependencies
    var db: any Database { dependencies.database.db }
    /// Enough for any real use; a limit keeps one account from fanning out without bound.
    static let maxWebhooks = 20

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post { request, context in try await create(request, context: context) }
        routes.get { _, context in try await list(context) }
        routes.delete(":id") { _, context in try await delete(context) }
        routes.get(":id/deliveries") { request, context in try await deliveries(request, context: context) }
        return routes
    }

    struct CreateRequest: JSONRequestBody {
        let url: String
        let events: [String]
        let secret: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case url, events, secret }
    }

    struct WebhookResponse: Encodable {
        let id: String
        let url: String
        let events: [String]
        let created_at: Date
        /// Only in the answer that creates it.
        let secret: String?

        init(_ hook: WebhookRecord, showSecret: Bool = false) throws {
            id = try hook.requireID().lowercased
            url = hook.url
            events = hook.eventList
            created_at = JobResponse.date(hook.createdMicros)
            secret = showSecret ? hook.secret : nil
        }
    }

    func create(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let body = try await RequestBody.json(CreateRequest.self, from: request, context: context)
        guard body.url.utf8.count <= 2048 else { throw APIError.badRequest("invalid_json", "url is longer than 2048 bytes") }
        let known = Set(WebhookEvent.allCases.map(\.rawValue))
        guard !body.events.isEmpty, body.events.allSatisfy(known.contains) else {
            throw APIError.badRequest(
                "invalid_json", "events must list one or more of \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if let secret = body.secret, !(16...256).contains(secret.utf8.count) {
            throw APIError.badRequest("invalid_json", "secret must be 16 to 256 bytes")
        }
        do {
            try await WebhookAddressGuard(allowPrivate: dependencies.configuration.webhookAllowPrivate).check(body.url)
        } catch let refusal as WebhookAddressGuard.Refusal {
            throw APIError.badRequest("webhook_url_refused", refusal.description)
        }
        guard try await WebhookRecord.query(on: db).filter(\.$userId == identity.userId).count() < Self.maxWebhooks else {
            throw APIError(.conflict, code: "too_many_webhooks", message: "an account has at most \(Self.maxWebhooks) webhooks")
        }
        let hook = WebhookRecord()
        hook.id = UUID()
        hook.userId = identity.userId
        hook.url = body.url
        hook.events = Array(Set(body.events)).sorted().joined(separator: ",")
        hook.secret = body.secret ?? "whsec_" + SecretTokens.random(bytes: 24)
        hook.createdMicros = .nowMicros
        try await hook.create(on: db)
        return try JSONResponse.make(try WebhookResponse(hook, showSecret: true), status: .created)
    }

    func list(_ context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let hooks = try await WebhookRecord.query(on: db).filter(\.$userId == identity.userId).sort(\.$createdMicros).all()
        return try JSONResponse.make(List(items: try hooks.map { try WebhookResponse($0) }))
    }

    struct List: Encodable {
        let items: [WebhookResponse]
    }

    func delete(_ context: ArgusRequestContext) async throws -> Response {
        try await owned(context, scope: .write).delete(on: db)
        return Response(status: .noContent)
    }

    struct DeliveryResponse: Codable {
        let id: String
        let event: String
        let job_id: String
        let attempt: Int
        let status_code: Int?
        let latency_ms: Double?
        let error: String?
        let created_at: Date
    }

    struct DeliveryPage: Codable {
        let items: [DeliveryResponse]
        let next_cursor: String?
    }

    /// Newest first: every attempt, with the receiver's status and the latency.
    func deliveries(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let hook = try await owned(context, scope: .read)
        let parameters = try RequestParameters(request, allowed: ["limit", "cursor"])
        let limit = try parameters.integer("limit", default: PageSize.default, in: PageSize.allowed)
        let (items, next) = try await WebhookDeliveryRecord.query(on: db).filter(\.$webhookId == (try hook.requireID()))
            .page(after: try KeysetCursor.parameter(parameters), order: .newestFirst, limit: limit)
        return try JSONResponse.make(
            DeliveryPage(
                items: try items.map {
                    DeliveryResponse(
                        id: try $0.requireID().lowercased, event: $0.event, job_id: $0.jobId.lowercased, attempt: $0.attempt,
                        status_code: $0.statusCode, latency_ms: $0.latencyMs, error: $0.error,
                        created_at: JobResponse.date($0.createdMicros))
                }, next_cursor: next?.token))
    }

    func owned(_ context: ArgusRequestContext, scope: Scope) async throws -> WebhookRecord {
        let identity = try context.requireIdentity(scope)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let hook = try await WebhookRecord.find(id, on: db), hook.userId == identity.userId else {
            throw APIError.notFound("no such webhook")
        }
        return hook
    }
}
