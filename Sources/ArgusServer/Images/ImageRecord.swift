import FluentKit
import Foundation

/// An uploaded image. `sha256` is of the bytes as uploaded (one user's duplicate uploads
/// find the same row); `blobKey` names the stored file, metadata stripped.
final class ImageRecord: Model, @unchecked Sendable {
    static let schema = "images"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "sha256") var sha256: String
    @Field(key: "blob_key") var blobKey: String
    @Field(key: "format") var format: String
    @Field(key: "width") var width: Int
    @Field(key: "height") var height: Int
    @Field(key: "byte_size") var byteSize: Int
    @OptionalField(key: "filename") var filename: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// Creation time in whole microseconds: an exact key for ordering and cursors (a
    /// floating-point date does not survive every database round trip bit for bit).
    @Field(key: "created_us") var createdMicros: Int64

    init() {}

    init(userId: UUID, sha256: String, blobKey: String, format: String, width: Int, height: Int, byteSize: Int, filename: String?)
    {
        self.$user.id = userId
        self.sha256 = sha256
        self.blobKey = blobKey
        self.format = format
        self.width = width
        self.height = height
        self.byteSize = byteSize
        self.filename = filename
        self.createdMicros = .nowMicros
    }
}

extension Int64 {
    /// Now, in microseconds since 1970.
    static var nowMicros: Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}

extension ImageRecord: KeysetOrdered {
    static var createdMicrosField: KeyPath<ImageRecord, FieldProperty<ImageRecord, Int64>> { \.$createdMicros }
    static var idField: KeyPath<ImageRecord, IDProperty<ImageRecord, UUID>> { \.$id }
}
