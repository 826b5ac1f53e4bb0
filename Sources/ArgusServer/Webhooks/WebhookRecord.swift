import FluentKit
import Foundation

/// A user's webhook (table `webhooks`): where to POST which events, and the secret
/// that signs them.
final class WebhookRecord: Model, @unchecked Sendable {
    static let schema = "webhooks"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userId: UUID
    @Field(key: "url") var url: String
    /// Comma-separated event names.
    @Field(key: "events") var events: String
    @Field(key: "secret") var secret: String
    @Field(key: "created_us") var createdMicros: Int64

    init() {}

    var eventList: [String] { events.split(separator: ",").map(String.init) }
}

/// One attempt to deliver an event to a webhook (table `webhook_deliveries`).
final class WebhookDeliveryRecord: Model, @unchecked Sendable {
    static let schema = "webhook_deliveries"

    @ID(key: .id) var id: UUID?
    @Field(key: "webhook_id") var webhookId: UUID
    /// The delivery job: its attempts are this event's retries.
    @Field(key: "job_id") var jobId: UUID
    @Field(key: "event") var event: String
    @Field(key: "attempt") var attempt: Int
    @OptionalField(key: "status_code") var statusCode: Int?
    @OptionalField(key: "latency_ms") var latencyMs: Double?
    @OptionalField(key: "error") var error: String?
    @Field(key: "created_us") var createdMicros: Int64

    init() {}
}

extension WebhookDeliveryRecord: KeysetOrdered {
    static var createdMicrosField: KeyPath<WebhookDeliveryRecord, FieldProperty<WebhookDeliveryRecord, Int64>> {
        \.$createdMicros
    }
    static var idField: KeyPath<WebhookDeliveryRecord, IDProperty<WebhookDeliveryRecord, UUID>> { \.$id }
}

/// The events a webhook may subscribe to.
enum WebhookEvent: String, CaseIterable, Sendable {
    /// Any job of the user finished (`done`).
    case jobCompleted = "job.completed"
    /// Any job of the user went dead after its last attempt.
    case jobFailed = "job.failed"
    /// An asynchronous upload's tasks finished.
    case imageProcessed = "image.processed"
}
