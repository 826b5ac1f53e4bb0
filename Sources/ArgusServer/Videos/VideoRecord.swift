import FluentKit
import Foundation

/// An uploaded video and, once its `video.track` job is done, what tracking found. The
/// files (the upload, the annotated MP4, the tracks, the thumbnail) are in its folder of
/// ``VideoFiles``; the status is its job's until the job's last write sets `done`.
final class VideoRecord: Model, @unchecked Sendable {
    static let schema = "videos"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @OptionalField(key: "filename") var filename: String?
    @Field(key: "byte_size") var byteSize: Int
    /// ffprobe's facts (VideoInfo as JSON).
    @Field(key: "probe") var probe: String
    /// The processing settings asked for (VideoTrackSettings as JSON).
    @Field(key: "settings") var settings: String
    @OptionalField(key: "job_id") var jobId: UUID?
    /// VideoProcessingSummary as JSON, written in the transaction that ends the job.
    @OptionalField(key: "summary") var summary: String?
    @Field(key: "track_count") var trackCount: Int
    @Field(key: "annotated_bytes") var annotatedBytes: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "created_us") var createdMicros: Int64

    init() {}

    init(id: UUID, userId: UUID, filename: String?, byteSize: Int, probe: String, settings: String) {
        self.id = id
        self.$user.id = userId
        self.filename = filename
        self.byteSize = byteSize
        self.probe = probe
        self.settings = settings
        self.trackCount = 0
        self.annotatedBytes = 0
        self.createdMicros = .nowMicros
    }
}

extension VideoRecord: KeysetOrdered {
    static var createdMicrosField: KeyPath<VideoRecord, FieldProperty<VideoRecord, Int64>> { \.$createdMicros }
    static var idField: KeyPath<VideoRecord, IDProperty<VideoRecord, UUID>> { \.$id }
}
