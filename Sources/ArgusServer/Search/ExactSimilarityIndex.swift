import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import Synchronization

/// The exact in-memory index (ArgusCore's `ExactVectorIndex`) kept in step with the
/// `image_embeddings` table: loaded when `argus serve` starts (or on first use), updated in place by this process's
/// writes and deletions, and caught up before each query with the rows other processes
/// (an `argus worker`) wrote since, by their `created_us`. Rows whose image is gone are
/// dropped when a query meets them (`SearchResults` checks every hit against `images`).
final class ExactSimilarityIndex: SimilarityIndex {
    /// A row written by another process may commit a little after rows that are newer:
    /// each catch-up looks this far behind the newest row seen (upserts are idempotent).
    static let catchUpOverlapMicros: Int64 = 30_000_000

    private struct State {
        var index = ExactVectorIndex<UUID, UUID>(dimension: ImageEmbedder.dimension)
        var loaded = false
        var newestMicros: Int64 = 0
    }

    private let state = Mutex(State())

    var kind: String { "exact" }
    var count: Int { state.withLock { $0.index.count } }

    func count(of userId: UUID, on db: any Database) -> Int { state.withLock { $0.index.count(of: userId) } }

    func refresh(from db: any Database) async throws {
        let (loaded, newest) = state.withLock { ($0.loaded, $0.newestMicros) }
        var query = ImageEmbeddingRecord.query(on: db).filter(\.$dimension == ImageEmbedder.dimension)
        if loaded { query = query.filter(\.$createdMicros >= newest - Self.catchUpOverlapMicros) }
        let rows = try await query.all()
        state.withLock { state in
            for row in rows {
                guard let id = row.id else { continue }
                state.index.upsert(id, owner: row.userId, vector: row.floats)
                state.newestMicros = max(state.newestMicros, row.createdMicros)
            }
            state.loaded = true
        }
    }

    /// Ignored until the index is loaded: the table is the truth, and the first
    /// `refresh` reads it whole (so a worker process, which never searches, holds nothing).
    func stored(imageId: UUID, userId: UUID, vector: [Float], on db: any Database) {
        guard vector.count == ImageEmbedder.dimension else { return }
        state.withLock { state in
            guard state.loaded else { return }
            state.index.upsert(imageId, owner: userId, vector: vector)
        }
    }

    func remove(imageId: UUID) {
        state.withLock { state in
            guard state.loaded else { return }
            state.index.remove(imageId)
        }
    }

    func vector(of imageId: UUID, on db: any Database) -> [Float]? {
        state.withLock { $0.index.vector(of: imageId) }
    }

    func similar(
        to vector: [Float], userId: UUID, limit: Int, threshold: Float, excluding: UUID?, on db: any Database
    ) -> [SimilarityMatch<UUID>] {
        state.withLock { $0.index.search(vector, owner: userId, limit: limit, threshold: threshold, excluding: excluding) }
    }

    func pairs(userId: UUID, threshold: Float, on db: any Database, pool: InferencePool) async throws -> [(UUID, UUID, Float)] {
        try await pool.run { self.state.withLock { $0.index.pairs(owner: userId, threshold: threshold) } }
    }
}
