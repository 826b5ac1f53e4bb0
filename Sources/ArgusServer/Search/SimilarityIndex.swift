import ArgusCore
import ArgusVision
import FluentKit
import Foundation

/// Where image embeddings are searched: `ExactSimilarityIndex` (in memory, the embedded
/// default) or `PgVectorSimilarityIndex` (an HNSW index in PostgreSQL). Chosen at start by
/// `ARGUS_SEARCH_INDEX` and what the database offers (`SearchIndexChoice`).
protocol SimilarityIndex: Sendable {
    /// What `/health` and the similarity answers report: "exact" or "pgvector".
    var kind: String { get }
    /// The vectors held, for `/health` (the pgvector index's figure may be a minute old).
    var count: Int { get }
    /// The vectors held of `userId`'s images.
    func count(of userId: UUID, on db: any Database) async throws -> Int
    /// Brings the index up to date with the `image_embeddings` table.
    func refresh(from db: any Database) async throws
    /// `imageId`'s row was just written in `db` (a job's closing transaction, say).
    func stored(imageId: UUID, userId: UUID, vector: [Float], on db: any Database) async throws
    /// `imageId`'s row is gone.
    func remove(imageId: UUID)
    func vector(of imageId: UUID, on db: any Database) async throws -> [Float]?
    /// `userId`'s images most similar to `vector`, best first.
    func similar(
        to vector: [Float], userId: UUID, limit: Int, threshold: Float, excluding: UUID?, on db: any Database
    ) async throws -> [SimilarityMatch<UUID>]
    /// Every pair of `userId`'s images at least `threshold` alike: an O(n²) scan, run in a
    /// slot of `pool`, off the cooperative threads.
    func pairs(userId: UUID, threshold: Float, on db: any Database, pool: InferencePool) async throws -> [(UUID, UUID, Float)]
}
