import FluentKit
import Foundation

/// A box or a circle found by a run. Boxes keep their class id; circles their radius.
final class DetectedObjectRecord: Model, @unchecked Sendable {
    static let schema = "detected_objects"

    @ID(key: .id) var id: UUID?
    @Parent(key: "run_id") var run: InferenceRunRecord
    @OptionalParent(key: "image_id") var image: ImageRecord?
    @Field(key: "user_id") var userId: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "label") var label: String
    @OptionalField(key: "class_id") var classId: Int?
    @Field(key: "confidence") var confidence: Double
    @Field(key: "x1") var x1: Double
    @Field(key: "y1") var y1: Double
    @Field(key: "x2") var x2: Double
    @Field(key: "y2") var y2: Double
    @OptionalField(key: "radius") var radius: Double?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// Creation time in whole microseconds: an exact key for ordering and cursors (a
    /// floating-point date does not survive every database round trip bit for bit).
    @Field(key: "created_us") var createdMicros: Int64

    init() {}
}

extension DetectedObjectRecord: KeysetOrdered {
    static var createdMicrosField: KeyPath<DetectedObjectRecord, FieldProperty<DetectedObjectRecord, Int64>> { \.$createdMicros }
    static var idField: KeyPath<DetectedObjectRecord, IDProperty<DetectedObjectRecord, UUID>> { \.$id }
}
