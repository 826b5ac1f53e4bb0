import FluentKit
import Foundation

/// One run of a task (`detect`, `circles`, …) for a user, on a stored image or on a
/// `POST /detect` / `POST /circles` upload that was not kept, or a video's tracking
/// (`track`, one object per track): the detection history.
final class InferenceRunRecord: Model, @unchecked Sendable {
    static let schema = "inference_runs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @OptionalParent(key: "image_id") var image: ImageRecord?
    /// The video a `track` run tracked.
    @OptionalField(key: "video_id") var videoId: UUID?
    @Field(key: "task") var task: String
    @Field(key: "model") var model: String
    @Field(key: "object_count") var objectCount: Int
    @Field(key: "inference_ms") var inferenceMs: Double
    @Field(key: "total_ms") var totalMs: Double
    @Field(key: "image_width") var imageWidth: Int
    @Field(key: "image_height") var imageHeight: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// Creation time in whole microseconds: an exact key for ordering and cursors (a
    /// floating-point date does not survive every database round trip bit for bit).
    @Field(key: "created_us") var createdMicros: Int64

    init() {}
}

extension InferenceRunRecord: KeysetOrdered {
    static var createdMicrosField: KeyPath<InferenceRunRecord, FieldProperty<InferenceRunRecord, Int64>> { \.$createdMicros }
    static var idField: KeyPath<InferenceRunRecord, IDProperty<InferenceRunRecord, UUID>> { \.$id }
}
