import Foundation

/// An image as the API shows it, with a signed link to its file and the routes under it.
struct ImageResponse: Codable {
    struct Links: Codable {
        let file: String
        let annotated: String
        let thumbnail: String
        let objects: String
    }

    struct TaskResult: Codable {
        let model: String
        let objects: [ObjectSummary]
        let inference_ms: Double
        let total_ms: Double
    }

    let id: String
    let filename: String?
    let format: String
    let media_type: String
    let width: Int
    let height: Int
    let byte_size: Int
    let sha256: String
    let created_at: Date?
    /// `/files/{token}`: works without credentials until `file_url_expires_at`.
    let file_url: String
    let file_url_expires_at: Date
    /// Signed links like `file_url`, to the annotated rendering and the default thumbnail.
    let annotated_url: String
    let thumbnail_url: String
    let links: Links
    var object_count: Int?
    var objects: [ObjectSummary]?
    var duplicate: Bool?
    var results: [String: TaskResult]?

    init(_ record: ImageRecord, signedURLs: SignedURLs) throws {
        let id = try record.requireID()
        self.id = id.lowercased
        filename = record.filename
        format = record.format
        media_type = ImageResponse.mediaType(record.format)
        width = record.width
        height = record.height
        byte_size = record.byteSize
        sha256 = record.sha256
        created_at = record.createdAt
        let now = Date()
        file_url = signedURLs.path(blobKey: record.blobKey, contentType: media_type, now: now)
        annotated_url = signedURLs.path(.annotated(imageId: id), contentType: "image/jpeg", now: now)
        thumbnail_url = signedURLs.path(
            .thumbnail(imageId: id, size: DerivedImageRenderer.defaultThumbnailSize), contentType: "image/jpeg", now: now)
        file_url_expires_at = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + signedURLs.lifetime).rounded(.down))
        let base = ArgusApplication.apiBase + ImagesController.path + "/" + id.lowercased
        links = Links(
            file: base + "/file", annotated: base + "/annotated", thumbnail: base + "/thumbnail", objects: base + "/objects")
    }

    static func mediaType(_ format: String) -> String {
        switch format {
        case "jpeg": "image/jpeg"
        case "png": "image/png"
        case "webp": "image/webp"
        case "bmp": "image/bmp"
        default: "application/octet-stream"
        }
    }
}
