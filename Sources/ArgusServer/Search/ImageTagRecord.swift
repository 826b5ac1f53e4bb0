import FluentKit
import Foundation

/// A tag the classifier gave an image (an ImageNet class and its probability).
final class ImageTagRecord: Model, @unchecked Sendable {
    static let schema = "image_tags"

    @ID(key: .id) var id: UUID?
    @Field(key: "image_id") var imageId: UUID
    @Field(key: "user_id") var userId: UUID
    @Field(key: "label") var label: String
    @Field(key: "class_id") var classId: Int
    @Field(key: "score") var score: Double
    @Field(key: "created_us") var createdMicros: Int64

    init() {}

    init(imageId: UUID, userId: UUID, label: String, classId: Int, score: Double) {
        id = UUID()
        self.imageId = imageId
        self.userId = userId
        self.label = label
        self.classId = classId
        self.score = score
        createdMicros = .nowMicros
    }
}
