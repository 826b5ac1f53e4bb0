import ArgusVision
import Foundation

/// A video as the API shows it: what was uploaded, how it is processed, where its job
/// stands, and once done its summary and links to the results.
struct VideoResponse: Encodable {
    let id: String
    let filename: String?
    let byte_size: Int
    let created_at: Date?
    /// `queued`, `running`, `done`, `failed` (after its last attempt) or `cancelled`.
    let status: String
    let progress: Int
    let progress_message: String?
    let error: String?
    let job_id: String?
    let video: VideoInfo
    let settings: VideoTrackSettings
    let summary: VideoProcessingSummary?
    let track_count: Int?
    /// API paths, and signed links (no credentials) a `<video>` or `<img>` element can open.
    let links: [String: String]

    init(_ record: VideoRecord, job: JobRecord?, signedURLs: SignedURLs) throws {
        let id = try record.requireID()
        self.id = id.lowercased
        filename = record.filename
        byte_size = record.byteSize
        created_at = record.createdAt
        let summary = record.summary.flatMap { try? JSONCoding.decoder.decode(VideoProcessingSummary.self, from: Data($0.utf8)) }
        self.summary = summary
        if summary != nil {
            status = "done"
        } else {
            switch job.flatMap({ JobStatus(rawValue: $0.status) }) {
            case .dead: status = "failed"
            case .cancelled: status = "cancelled"
            case .running: status = "running"
            default: status = "queued"
            }
        }
        progress = summary != nil ? 100 : job?.progress ?? 0
        progress_message = summary != nil ? nil : job?.progressMessage
        error = summary != nil ? nil : job?.lastError
        job_id = record.jobId?.lowercased
        video = try JSONCoding.decoder.decode(VideoInfo.self, from: Data(record.probe.utf8))
        settings = try JSONCoding.decoder.decode(VideoTrackSettings.self, from: Data(record.settings.utf8))
        track_count = summary != nil ? record.trackCount : nil
        let base = ArgusApplication.apiBase + VideosController.path + "/" + self.id
        var links = ["self": base]
        if let job_id { links["job"] = ArgusApplication.apiBase + "/jobs/" + job_id }
        if summary != nil {
            links["tracks"] = base + "/tracks"
            links["thumbnail"] = base + "/thumbnail"
            links["thumbnail_url"] = signedURLs.path(.video(videoId: id, file: .thumbnail), contentType: "image/jpeg")
            if settings.annotate {
                links["annotated"] = base + "/annotated"
                links["annotated_url"] = signedURLs.path(.video(videoId: id, file: .annotated), contentType: "video/mp4")
            }
        }
        self.links = links
    }
}
