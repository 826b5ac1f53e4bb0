import AsyncHTTPClient
import FluentKit
import Foundation
import NIOCore
import NIOFoundationCompat

/// The payload of a `webhook.deliver` job: one event for one webhook.
struct WebhookDeliveryPayload: Codable, Sendable {
    let webhook_id: UUID
    let event: String
    /// The JSON body, as it is signed and sent.
    let body: String
}

/// Queues deliveries, in the transaction that ends the job they tell of: an event is
/// delivered exactly when its job really ended.
enum WebhookEvents {
    static let deliveryKind = "webhook.deliver"
    /// Deliveries retry with the queue's backoff (full jitter, doubling from
    /// ARGUS_JOB_RETRY_BASE_MS up to 10 minutes a wait).
    static let deliveryAttempts = 12

    struct Body: Encodable {
        let event: String
        let created_at: Date
        let data: Data
        struct Data: Encodable {
            let job_id: String
            let kind: String
            let status: String
            let error: String?
            let result: JSONValue?
        }
    }

    /// The events of a job that ended (done or dead) and their deliveries to the user's webhooks.
    /// - Returns: how many deliveries it queued.
    @discardableResult
    static func jobEnded(
        jobId: UUID, kind: String, userId: UUID?, status: JobStatus, result: String?, error: String?, on db: any Database
    ) async throws -> Int {
        guard let userId else { return 0 }
        var events: [WebhookEvent] = []
        switch status {
        case .done: events = kind == ImageTasksHandler.kind ? [.jobCompleted, .imageProcessed] : [.jobCompleted]
        case .dead: events = [.jobFailed]
        default: return 0
        }
        let hooks = try await WebhookRecord.query(on: db).filter(\.$userId == userId).all()
        guard !hooks.isEmpty else { return 0 }
        var queued = 0
        let parsed = result.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        for event in events {
            let body = Body(
                event: event.rawValue, created_at: Date(),
                data: .init(job_id: jobId.lowercased, kind: kind, status: status.rawValue, error: error, result: parsed))
            let text = String(decoding: try JSONCoding.encoder.encode(body), as: UTF8.self)
            for hook in hooks where hook.eventList.contains(event.rawValue) {
                let payload = WebhookDeliveryPayload(webhook_id: try hook.requireID(), event: event.rawValue, body: text)
                var request = JobQueue.Request(
                    kind: deliveryKind, payload: String(decoding: try JSONCoding.encoder.encode(payload), as: UTF8.self))
                request.priority = 10
                request.maxAttempts = deliveryAttempts
                request.userId = userId
                // In the transaction that ends the job told of, not through `enqueue`.
                try await JobRecord.insertQueued(request, defaultTimeoutSeconds: 30, on: db)
                queued += 1
            }
        }
        return queued
    }
}

/// Delivers one event: checks the address again, POSTs the signed body, records the
/// answer's status and latency, and fails the attempt (to be retried) on anything but 2xx.
struct WebhookDeliveryHandler: JobHandler {
    let dependencies: ServerDependencies

    var kind: String { WebhookEvents.deliveryKind }
    var softTimeout: Duration { .seconds(20) }
    var hardTimeout: Duration { .seconds(30) }

    func run(_ job: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(WebhookDeliveryPayload.self)
        let db = dependencies.database.db
        guard let hook = try await WebhookRecord.find(payload.webhook_id, on: db) else {
            throw PermanentJobFailure("the webhook was deleted")
        }
        let delivery = WebhookDeliveryRecord()
        delivery.id = UUID()
        delivery.webhookId = payload.webhook_id
        delivery.jobId = job.id
        delivery.event = payload.event
        delivery.attempt = job.attempt
        delivery.createdMicros = .nowMicros
        let start = ContinuousClock.now
        do {
            try await WebhookAddressGuard(allowPrivate: dependencies.configuration.webhookAllowPrivate).check(hook.url)
            let body = Data(payload.body.utf8)
            var request = HTTPClientRequest(url: hook.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Argus-Webhook/1")
            request.headers.add(name: "X-Argus-Event", value: payload.event)
            request.headers.add(name: "X-Argus-Delivery", value: job.id.lowercased)
            request.headers.add(
                name: "X-Argus-Signature",
                value: WebhookSignature.header(secret: hook.secret, timestamp: Int(Date().timeIntervalSince1970), body: body))
            request.body = .bytes(ByteBuffer(data: body))
            let response = try await Self.client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            delivery.statusCode = Int(response.status.code)
            delivery.latencyMs = TaskRunner.milliseconds(since: start)
            try await delivery.create(on: db)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw DeliveryFailure(description: "the receiver answered \(response.status.code)")
            }
            return JobOutcome(result: #"{"status_code":\#(response.status.code)}"#)
        } catch let failure as DeliveryFailure {
            throw failure
        } catch let refusal as WebhookAddressGuard.Refusal {
            delivery.error = refusal.description
            try? await delivery.create(on: db)
            throw PermanentJobFailure(refusal.description)
        } catch {
            delivery.error = String(describing: error)
            delivery.latencyMs = TaskRunner.milliseconds(since: start)
            try? await delivery.create(on: db)
            throw error
        }
    }

    /// Never follows a redirect: the address check covers the webhook's own URL only, and
    /// a receiver must not be able to bounce a delivery into the server's network.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    struct DeliveryFailure: Error, CustomStringConvertible {
        let description: String
    }
}
