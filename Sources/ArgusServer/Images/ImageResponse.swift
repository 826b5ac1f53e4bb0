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

    let id: UUID
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
    let links: Links
    var object_count: Int?
    var objects: [ObjectSummary]?
    var duplicate: Bool?
    var results: [String: TaskResult]?

    init(_ record: ImageRecord, signedURLs: SignedURLs) throws {
        let id = try record.requireID()
        self.id = id
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
        file_url_expires_at = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + signedURLs.lifetime).rounded(.down))
        let base = "/api/v1/images/\(id.uuidString.lowercased())"
        links = Links(file: base + "/file", annotated: base + "/annotated", thumbnail: base + "/thumbnail", objects: base + "/objects")
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
