import Foundation

/// One image a search found, with what made it match.
struct SearchHit: Encodable {
    let image_id: String
    /// Cosine similarity (the similarity routes; in a duplicate group, to the member it is
    /// most alike) or the confidence of the weakest matched term (`/search`).
    let score: Double
    let filename: String?
    let width: Int
    let height: Int
    let created_at: Date?
    /// Signed links that work without credentials for a while, as an image's own.
    let thumbnail_url: String
    let file_url: String
    /// The image under `/api/v1/images`.
    let image: String
    /// `/search`: the labels and tags that matched the query's terms.
    var matched: [String]? = nil

    init(_ record: ImageRecord, score: Double, signedURLs: SignedURLs) throws {
        let id = try record.requireID()
        let links = try ImageResponse(record, signedURLs: signedURLs)
        image_id = id.lowercased
        self.score = (score * 10_000).rounded() / 10_000
        filename = record.filename
        width = record.width
        height = record.height
        created_at = record.createdAt
        thumbnail_url = links.thumbnail_url
        file_url = links.file_url
        image = ArgusApplication.apiBase + ImagesController.path + "/" + id.lowercased
    }
}
