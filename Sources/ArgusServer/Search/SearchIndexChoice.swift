import ArgusVision
import FluentKit
import Logging
import SQLKit

/// `ARGUS_SEARCH_INDEX`: which similarity index a process uses.
public enum SearchIndexChoice: String, CaseIterable, Sendable {
    /// pgvector when the database is PostgreSQL and offers the `vector` extension, the
    /// exact in-memory index otherwise.
    case auto
    case exact
    /// pgvector or no start.
    case pgvector

    /// The index this process uses on `database`. For pgvector, the extension, the vector
    /// column and its HNSW index are made here when missing (every process may do so at
    /// once: one at a time, under an advisory lock), so that a server whose PostgreSQL
    /// gains the extension later starts using it at its next start.
    func index(on database: ArgusDatabase, logger: Logger) async throws -> any SimilarityIndex {
        guard self != .exact else { return ExactSimilarityIndex() }
        guard case .postgres = database.location else {
            if self == .pgvector {
                throw ConfigurationError(description: "ARGUS_SEARCH_INDEX=pgvector needs PostgreSQL (ARGUS_DATABASE_URL)")
            }
            return ExactSimilarityIndex()
        }
        let sql = database.db as! any SQLDatabase
        let available = try await sql.raw("SELECT 1 AS found FROM pg_available_extensions WHERE name = 'vector'").first() != nil
        guard available else {
            if self == .pgvector {
                throw ConfigurationError(
                    description:
                        "ARGUS_SEARCH_INDEX=pgvector: this PostgreSQL server has no `vector` extension (pgvector 0.8 or later) installed"
                )
            }
            return ExactSimilarityIndex()
        }
        do {
            try await database.db.transaction { db in
                let sql = db as! any SQLDatabase
                try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: Self.lockKey))").run()
                try await sql.raw("CREATE EXTENSION IF NOT EXISTS vector").run()
                try await sql.raw(
                    "ALTER TABLE image_embeddings ADD COLUMN IF NOT EXISTS embedding vector(\(unsafeRaw: String(ImageEmbedder.dimension)))"
                ).run()
                // Inner product: the vectors are unit length, so it is their cosine.
                try await sql.raw(
                    "CREATE INDEX IF NOT EXISTS image_embeddings_hnsw ON image_embeddings USING hnsw (embedding vector_ip_ops)"
                ).run()
                // The rows still to copy into the column (written before pgvector was on).
                try await sql.raw(
                    "CREATE INDEX IF NOT EXISTS image_embeddings_uncopied ON image_embeddings (id) WHERE embedding IS NULL"
                ).run()
            }
        } catch {
            if self == .pgvector {
                throw ConfigurationError(
                    description: "ARGUS_SEARCH_INDEX=pgvector: cannot set up pgvector: \(String(reflecting: error))")
            }
            // The extension is there but this role may not create it, say.
            logger.warning(
                "pgvector is installed but cannot be used: searching with the exact index",
                metadata: ["error": .string(String(reflecting: error))])
            return ExactSimilarityIndex()
        }
        return PgVectorSimilarityIndex()
    }

    /// An arbitrary constant of Argus's: the advisory lock of the pgvector set-up.
    static let lockKey = 0x4152_4755_5356
}
