import FluentKit
import Foundation
import Hummingbird
import HummingbirdWebSocket

/// `/api/v1/jobs`: the caller's jobs, one job (an admin reaches any job by its id), and
/// cancel and retry; `/api/v1/admin/jobs` to enqueue diagnostic jobs and
/// `/api/v1/admin/queue` for the queue's depth and its workers.
struct JobsController {
    let dependencies: ServerDependencies
    var db: any Database { dependencies.database.db }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { request, context in try await list(request, context: context) }
        routes.get(":id") { _, context in try JSONResponse.make(try JobResponse(try await owned(context, scope: .read))) }
        routes.post(":id/cancel") { _, context in try await cancel(context) }
        routes.post(":id/retry") { _, context in try await retry(context) }
        routes.get(":id/events") { _, context in try await events(context) }
        return routes
    }

    var adminRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post("jobs") { request, context in try await enqueue(request, context: context) }
        routes.get("queue") { _, context in try await queue(context) }
        return routes
    }

    struct Page: Encodable {
        let items: [JobResponse]
        let next_cursor: String?
    }

    /// Newest first; `status` and `kind` filter.
    func list(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let parameters = try RequestParameters(request, allowed: ["limit", "cursor", "status", "kind"])
        let limit = try parameters.integer("limit", default: PageSize.default, in: PageSize.allowed)
        let query = JobRecord.query(on: db).filter(\.$userId == identity.userId)
        if parameters["status"] != nil {
            query.filter(\.$status == (try parameters.choice("status", default: JobStatus.queued)).rawValue)
        }
        if let kind = parameters["kind"] { query.filter(\.$kind == kind) }
        let (jobs, next) = try await query.page(after: try KeysetCursor.parameter(parameters), order: .newestFirst, limit: limit)
        return try JSONResponse.make(Page(items: try jobs.map(JobResponse.init), next_cursor: next?.token))
    }

    /// A queued job is cancelled at once; a running one is asked to stop (202 until its
    /// worker notices). A finished job answers 409.
    func cancel(_ context: ArgusRequestContext) async throws -> Response {
        let job = try await owned(context, scope: .write)
        guard let status = JobStatus(rawValue: job.status), !status.isFinal else {
            throw APIError(.conflict, code: "job_finished", message: "the job is \(job.status); there is nothing to cancel")
        }
        try await dependencies.jobs.requestCancel(try job.requireID())
        let updated = try await owned(context, scope: .write)
        return try JSONResponse.make(
            try JobResponse(updated), status: updated.status == JobStatus.cancelled.rawValue ? .ok : .accepted)
    }

    /// Runs a dead or cancelled job again, with a fresh count of attempts; 409 otherwise.
    func retry(_ context: ArgusRequestContext) async throws -> Response {
        let job = try await owned(context, scope: .write)
        guard try await dependencies.jobs.retryJob(try job.requireID()) else {
            throw APIError(
                .conflict, code: "job_not_retryable",
                message: "only a dead or cancelled job can be retried; this one is \(job.status)")
        }
        return try JSONResponse.make(try JobResponse(try await owned(context, scope: .write)), status: .accepted)
    }

    struct EnqueueRequest: JSONRequestBody {
        let kind: String
        let payload: JSONValue?
        let priority: Int?
        let max_attempts: Int?
        let idempotency_key: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case kind, payload, priority, max_attempts, idempotency_key }
    }

    /// Admins enqueue diagnostic jobs (`noop`), for drills and benchmarks.
    func enqueue(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let body = try await RequestBody.json(EnqueueRequest.self, from: request, context: context)
        guard body.kind == NoopJobHandler().kind else {
            throw APIError.badRequest("invalid_json", "kind must be noop; other kinds are enqueued by their own routes")
        }
        if let priority = body.priority, !(-1000...1000).contains(priority) {
            throw APIError.badRequest("invalid_json", "priority must be from -1000 to 1000")
        }
        if let key = body.idempotency_key, !(1...200).contains(key.utf8.count) {
            throw APIError.badRequest("invalid_json", "idempotency_key must be 1 to 200 bytes")
        }
        if let attempts = body.max_attempts, !(1...100).contains(attempts) {
            throw APIError.badRequest("invalid_json", "max_attempts must be from 1 to 100")
        }
        var job = JobQueue.Request(kind: body.kind)
        job.payload = String(decoding: try JSONEncoder().encode(body.payload ?? .object([:])), as: UTF8.self)
        job.priority = body.priority ?? 0
        job.maxAttempts = body.max_attempts ?? 5
        job.idempotencyKey = body.idempotency_key
        job.userId = admin.userId
        return try JSONResponse.make(try JobResponse(try await dependencies.jobs.enqueue(job)), status: .created)
    }

    struct QueueReport: Encodable {
        struct Worker: Encodable {
            let id: String
            let host: String
            let pid: Int
            let kinds: [String]
            let concurrency: Int
            let running: Int
            let started_at: Date
            let last_beat_at: Date
        }
        /// Jobs by kind, then by status.
        let jobs: [String: [String: Int]]
        let workers: [Worker]
    }

    /// The depth of the queue per kind and status, and the workers that beat in the last minute.
    func queue(_ context: ArgusRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        let rows = try await dependencies.database.sql.raw("SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status")
            .all()
        var jobs: [String: [String: Int]] = [:]
        for row in rows {
            jobs[try row.decode(column: "kind", as: String.self), default: [:]][
                try row.decode(column: "status", as: String.self)] =
                try row.decode(column: "n", as: Int.self)
        }
        let recent = Int64.nowMicros - 60_000_000
        let workers = try await WorkerRecord.query(on: db).filter(\.$lastBeatMicros >= recent).filter(\.$stoppedMicros == nil)
            .all()
        return try JSONResponse.make(
            QueueReport(
                jobs: jobs,
                workers: workers.map {
                    .init(
                        id: $0.id ?? "", host: $0.host, pid: $0.pid, kinds: $0.kinds.split(separator: ",").map(String.init),
                        concurrency: $0.concurrency, running: $0.running, started_at: JobResponse.date($0.startedMicros),
                        last_beat_at: JobResponse.date($0.lastBeatMicros))
                }))
    }

    /// Server-Sent Events: the job as it is now, then again each time its status,
    /// progress or attempts change, until it ends (the stream then closes). A comment
    /// line every 15 s keeps proxies from closing an idle stream.
    func events(_ context: ArgusRequestContext) async throws -> Response {
        let id = try await owned(context, scope: .read).requireID()
        let database = dependencies.database
        let body = ResponseBody { writer in
            try await Self.follow(id, database: database) { json in
                try await writer.write(ByteBuffer(string: json.map { "event: job\ndata: " + $0 + "\n\n" } ?? ": waiting\n\n"))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }

    /// The same events over a WebSocket: one text message per change (the job as JSON),
    /// then a normal close once the job has ended.
    var webSocketRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        let database = dependencies.database
        // The upgrade is taken, and a refusal is a close at once (`close(refusing:)`).
        routes.ws(":id/events") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let id: UUID
            do {
                id = try await owned(context.requestContext, scope: .read).requireID()
            } catch {
                try await outbound.close(refusing: APIError(error))
                // Until the client's close answers ours: returning first could drop the
                // connection before the client has read why.
                for try await _ in inbound {}
                return
            }
            try await Self.follow(id, database: database) { json in
                if let json { try await outbound.write(.text(json)) }
            }
        }
        return routes
    }

    /// Calls `send` with the job as JSON at once and at each change, and with nil every
    /// 15 s of quiet; returns once the job has ended (or is gone).
    static func follow(_ id: UUID, database: ArgusDatabase, send: (String?) async throws -> Void) async throws {
        var last: String?
        var quiet = ContinuousClock.now
        while true {
            guard let current = try await JobRecord.find(id, on: database.db) else { return }
            let state = "\(current.status)|\(current.progress)|\(current.progressMessage ?? "")|\(current.attempts)"
            if state != last {
                try await send(String(decoding: try JSONCoding.encoder.encode(try JobResponse(current)), as: UTF8.self))
                last = state
                quiet = .now
                if JobStatus(rawValue: current.status)?.isFinal == true { return }
            } else if ContinuousClock.now - quiet > .seconds(15) {
                try await send(nil)
                quiet = .now
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The caller's job (any job for an admin); 404 otherwise, as for a missing one.
    func owned(_ context: ArgusRequestContext, scope: Scope) async throws -> JobRecord {
        let identity = try context.requireIdentity(scope)
        let id = try context.parameters.require("id", as: UUID.self)
        guard let job = try await JobRecord.find(id, on: db), job.userId == identity.userId || identity.isAdmin else {
            throw APIError.notFound("no such job")
        }
        return job
    }
}
