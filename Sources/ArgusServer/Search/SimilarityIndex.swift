import ArgusCore
import FluentKit
import Foundation

/// Where image embeddings are searched. The embedded default is `ExactSimilarityIndex`;
/// another backend (an approximate index in the database, say) answers the same calls.
protocol SimilarityIndex: Sendable {
    /// What `/health` reports: "exact".
    var kind: String { get }
    /// The vectors held.
    var count: Int { get }
    /// The vectors held of `userId`'s images.
    func count(of userId: UUID) -> Int
    /// Brings the index up to date with the `image_embeddings` table.
    func refresh(from db: any Database) async throws
    func upsert(imageId: UUID, userId: UUID, vector: [Float])
    func remove(imageId: UUID)
    func vector(of imageId: UUID) -> [Float]?
    /// `userId`'s images most similar to `vector`, best first.
    func similar(to vector: [Float], userId: UUID, limit: Int, threshold: Float, excluding: UUID?) -> [SimilarityMatch<UUID>]
    /// Every pair of `userId`'s images at least `threshold` alike.
    func pairs(userId: UUID, threshold: Float) -> [(UUID, UUID, Float)]
}
