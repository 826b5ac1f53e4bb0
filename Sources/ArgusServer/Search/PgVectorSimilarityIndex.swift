import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import SQLKit
import Synchronization

/// The similarity index in PostgreSQL, with pgvector: each `image_embeddings` row's vector
/// also in its `embedding` column, searched through an HNSW index by inner product (the
/// vectors are unit length). Nothing is held in memory, so every process (`argus serve`
/// and `argus worker` on many machines) sees one index, and a million images cost the
/// server no RAM. Approximate: `docs/search.md` gives its recall against the exact index.
final class PgVectorSimilarityIndex: SimilarityIndex {
    var kind: String { "pgvector" }

    private let counted = Mutex<(vectors: Int, at: ContinuousClock.Instant?)>((0, nil))
    var count: Int { counted.withLock { $0.vectors } }

    func count(of userId: UUID, on db: any Database) async throws -> Int {
        try await Self.count(
            "SELECT count(*) AS n FROM image_embeddings WHERE user_id = \(bind: userId) AND embedding IS NOT NULL", on: db)
    }

    /// Copies into the column the vectors of rows written without it (before pgvector was
    /// set up, or by a process that searches with the exact index), and recounts for
    /// `/health` once a minute.
    func refresh(from db: any Database) async throws {
        let sql = db as! any SQLDatabase
        // In id order from the last one seen: a row that cannot be copied (a vector of
        // the wrong length or not finite) is passed over, not read again and again.
        var after = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        while true {
            let rows = try await sql.raw(
                """
                SELECT id, user_id, vector FROM image_embeddings WHERE embedding IS NULL \
                AND dimension = \(bind: ImageEmbedder.dimension) AND id > \(bind: after) ORDER BY id LIMIT 500
                """
            ).all()
            guard !rows.isEmpty else { break }
            for row in rows {
                after = try row.decode(column: "id", as: UUID.self)
                let vector = ImageEmbeddingRecord.floats(try row.decode(column: "vector", as: Data.self))
                guard vector.allSatisfy(\.isFinite) else { continue }
                try await stored(
                    imageId: after, userId: try row.decode(column: "user_id", as: UUID.self), vector: vector, on: db)
            }
        }
        let due = counted.withLock { state in state.at.map { $0.duration(to: .now) > .seconds(60) } ?? true }
        if due {
            let vectors = try await Self.count("SELECT count(*) AS n FROM image_embeddings WHERE embedding IS NOT NULL", on: db)
            counted.withLock { $0 = (vectors, .now) }
        }
    }

    func stored(imageId: UUID, userId: UUID, vector: [Float], on db: any Database) async throws {
        guard vector.count == ImageEmbedder.dimension else { return }
        try await (db as! any SQLDatabase).raw(
            "UPDATE image_embeddings SET embedding = \(bind: Self.literal(vector))::vector WHERE id = \(bind: imageId)"
        ).run()
    }

    /// The row went with the image: nothing else holds it.
    func remove(imageId: UUID) {}

    func vector(of imageId: UUID, on db: any Database) async throws -> [Float]? {
        guard let row = try await ImageEmbeddingRecord.find(imageId, on: db), row.dimension == ImageEmbedder.dimension else {
            return nil
        }
        return row.floats
    }

    /// The HNSW walk keeps `ef_search` candidates (at least 200, four times the limit, at
    /// most pgvector's 1,000: 100 gave a recall@10 of 0.96 on the test's hardest queries) and, with the iterative scan, walks on while the filter by user
    /// leaves fewer than the limit.
    func similar(
        to vector: [Float], userId: UUID, limit: Int, threshold: Float, excluding: UUID?, on db: any Database
    ) async throws -> [SimilarityMatch<UUID>] {
        let query = Self.literal(vector)
        let candidates = min(1000, max(200, 4 * limit))
        let rows = try await db.transaction { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("SET LOCAL hnsw.ef_search = \(unsafeRaw: String(candidates))").run()
            try await sql.raw("SET LOCAL hnsw.iterative_scan = strict_order").run()
            return try await sql.raw(
                """
                SELECT id, -(embedding <#> \(bind: query)::vector) AS score FROM image_embeddings \
                WHERE user_id = \(bind: userId) AND embedding IS NOT NULL AND id IS DISTINCT FROM \(bind: excluding) \
                ORDER BY embedding <#> \(bind: query)::vector LIMIT \(bind: limit)
                """
            ).all()
        }
        return try rows.compactMap { row in
            let score = Float(try row.decode(column: "score", as: Double.self))
            guard score >= threshold else { return nil }
            return SimilarityMatch(id: try row.decode(column: "id", as: UUID.self), score: score)
        }
    }

    /// The user's vectors read into an exact index of their own, for the one O(n²) scan.
    func pairs(userId: UUID, threshold: Float, on db: any Database, pool: InferencePool) async throws -> [(UUID, UUID, Float)] {
        let rows = try await ImageEmbeddingRecord.query(on: db)
            .filter(\.$userId == userId).filter(\.$dimension == ImageEmbedder.dimension).all()
        let vectors = rows.compactMap { row in row.id.map { ($0, row.floats) } }
        return try await pool.run {
            var index = ExactVectorIndex<UUID, UUID>(dimension: ImageEmbedder.dimension)
            for (id, vector) in vectors { index.upsert(id, owner: userId, vector: vector) }
            return index.pairs(owner: userId, threshold: threshold)
        }
    }

    /// pgvector's text form, `[0.1,0.2,…]`: each Float in its shortest exact spelling.
    static func literal(_ vector: [Float]) -> String {
        "[" + vector.map { "\($0)" }.joined(separator: ",") + "]"
    }

    private static func count(_ query: SQLQueryString, on db: any Database) async throws -> Int {
        try await (db as! any SQLDatabase).raw(query).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
