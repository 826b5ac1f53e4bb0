import ArgusCore
import ArgusTestSupport
import ArgusVision
import FluentKit
import Foundation
import SQLKit
import Testing

@testable import ArgusServer

/// The pgvector index against the exact one on the same vectors, and how a process picks
/// its index (`ARGUS_SEARCH_INDEX`). The PostgreSQL pass runs them on its second server,
/// a PostgreSQL with pgvector; the SQLite pass checks only what SQLite can.
@Suite struct PgVectorIndexTests {
    static var postgres: Bool { TestDatabase.kind == "postgres" }

    /// Unit vectors crowded round a few centres, as the embeddings of similar photos are.
    static func vectors(_ count: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(state: seed)
        func unit(_ values: [Float]) -> [Float] {
            let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return values.map { $0 / norm }
        }
        func random() -> [Float] { unit((0..<ImageEmbedder.dimension).map { _ in Float.random(in: -1...1, using: &generator) }) }
        let centres = (0..<20).map { _ in random() }
        return (0..<count).map { row in unit(zip(centres[row % 20], random()).map { $0 + 0.6 * $1 }) }
    }

    /// Rows written as a process with the exact index writes them (no vector column), so
    /// that the first refresh copies them: the path of a server that gains pgvector.
    static func store(_ vectors: [[Float]], userId: UUID, on db: any Database) async throws -> [UUID] {
        let images = vectors.indices.map { row in
            ImageRecord(
                userId: userId, sha256: UUID().lowercased, blobKey: "test/\(UUID().lowercased)", format: "jpeg", width: 64,
                height: 64, byteSize: 1, filename: "\(row).jpg")
        }
        try await images.create(on: db)
        let ids = try images.map { try $0.requireID() }
        let rows = zip(ids, vectors).map { id, vector in
            ImageEmbeddingRecord(imageId: id, userId: userId, model: ImageEmbedder.modelName, vector: vector)
        }
        try await rows.create(on: db)
        return ids
    }

    @Test(.enabled(if: postgres)) func theHNSWIndexFindsWhatTheExactIndexFinds() async throws {
        var configuration = try await TestServer.configuration()
        configuration.databaseURL = try await TestDatabase.fresh(pgvector: true)
        configuration.searchIndex = .pgvector
        try await TestServer.run(configuration) { client, dependencies in
            let api = APIClient(client: client)
            let mine = UUID(uuidString: try await api.signUp().id)!
            let theirs = UUID(uuidString: try await api.signUp().id)!
            let db = dependencies.database.db
            let index = dependencies.similarity
            #expect(index.kind == "pgvector")
            let vectors = Self.vectors(2000, seed: 3)
            let ids = try await Self.store(vectors, userId: mine, on: db)
            let otherVectors = Self.vectors(150, seed: 4)
            let otherIds = try await Self.store(otherVectors, userId: theirs, on: db)
            try await index.refresh(from: db)
            #expect(index.count == 2150)
            #expect(try await index.count(of: mine, on: db) == 2000)
            #expect(try await index.vector(of: ids[5], on: db) == vectors[5])
            // With the table's statistics (autovacuum gathers them in time), PostgreSQL
            // walks the HNSW graph for these queries rather than scanning every row: the
            // recall below is the graph's.
            let sql = db as! any SQLDatabase
            try await sql.raw("ANALYZE image_embeddings").run()
            let plan = try await sql.raw(
                """
                EXPLAIN SELECT id FROM image_embeddings WHERE user_id = \(bind: mine) AND embedding IS NOT NULL \
                ORDER BY embedding <#> \(unsafeRaw: "'" + PgVectorSimilarityIndex.literal(vectors[1]) + "'")::vector LIMIT 10
                """
            ).all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n")
            #expect(plan.contains("image_embeddings_hnsw"), "\(plan.prefix(300))")

            var exact = ExactVectorIndex<UUID, UUID>(dimension: ImageEmbedder.dimension)
            for (id, vector) in zip(ids, vectors) { exact.upsert(id, owner: mine, vector: vector) }
            // Half the queries a stored vector moved a little (a photo like one already
            // there), half a new member of a cluster (a new photo of a known subject, with
            // many neighbours at much the same distance: harder for a graph walk).
            var generator = SeededGenerator(state: 9)
            let fresh = Self.vectors(25, seed: 10)
            var found = [0, 0], firstSame = 0
            for number in 0..<50 {
                let query: [Float]
                if number % 2 == 0 {
                    let near = vectors[(number * 37) % vectors.count]
                    let moved = near.map { $0 + Float.random(in: -0.02...0.02, using: &generator) }
                    let norm = moved.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    query = moved.map { $0 / norm }
                } else {
                    query = fresh[number / 2]
                }
                let want = exact.search(query, owner: mine, limit: 10)
                let got = try await index.similar(to: query, userId: mine, limit: 10, threshold: -1, excluding: nil, on: db)
                #expect(got.count == 10 && got.allSatisfy { !otherIds.contains($0.id) })
                found[number % 2] += Set(got.map(\.id)).intersection(want.map(\.id)).count
                if number % 2 == 0, got.first?.id == want.first?.id { firstSame += 1 }
                let scores = Dictionary(uniqueKeysWithValues: want.map { ($0.id, $0.score) })
                for match in got { if let score = scores[match.id] { #expect(abs(score - match.score) < 1e-4) } }
            }
            let near = Double(found[0]) / 250, new = Double(found[1]) / 250
            print(
                "pgvector HNSW recall@10 against the exact index, 2000 vectors: \(near) for 25 queries near a stored vector (top 1 the same for \(firstSame)), \(new) for 25 new cluster members"
            )
            #expect(near >= 0.95 && new >= 0.95)
            #expect(firstSame == 25)

            // The query image itself left out; a threshold; the exact pairs (of the
            // smaller user: an O(n²) scan is slow in a debug build).
            let itself = try await index.similar(to: vectors[0], userId: mine, limit: 3, threshold: -1, excluding: ids[0], on: db)
            #expect(itself.count == 3 && !itself.contains { $0.id == ids[0] })
            let strict = try await index.similar(to: vectors[0], userId: mine, limit: 10, threshold: 0.99, excluding: nil, on: db)
            #expect(strict.map(\.id) == [ids[0]])
            var theirExact = ExactVectorIndex<UUID, UUID>(dimension: ImageEmbedder.dimension)
            for (id, vector) in zip(otherIds, otherVectors) { theirExact.upsert(id, owner: theirs, vector: vector) }
            let pairs = try await index.pairs(userId: theirs, threshold: 0.6, on: db, pool: dependencies.pool)
            let expected = theirExact.pairs(owner: theirs, threshold: 0.6)
            let unordered = { (found: [(UUID, UUID, Float)]) in Set(found.map { Set([$0.0, $0.1]) }) }
            #expect(!expected.isEmpty && unordered(pairs) == unordered(expected))
        }
    }

    @Test(.enabled(if: postgres)) func autoUsesTheExactIndexWherePostgreSQLHasNoPgvector() async throws {
        let configuration = try await TestServer.configuration()
        try await TestServer.withDependencies(configuration) { #expect($0.similarity.kind == "exact") }
        var strict = configuration
        strict.searchIndex = .pgvector
        await #expect {
            try await TestServer.withDependencies(strict) { _ in }
        } throws: { error in
            "\(error)".contains("ARGUS_SEARCH_INDEX=pgvector: this PostgreSQL server has no `vector` extension")
        }
    }

    @Test func pgvectorOnSQLiteStopsTheStart() async throws {
        var configuration = try await TestServer.configuration()
        configuration.databaseURL = .sqlite(
            path: try TestEnvironment.temporaryDirectory("db").appendingPathComponent("argus.sqlite").path)
        try await TestServer.withDependencies(configuration) { #expect($0.similarity.kind == "exact") }
        configuration.searchIndex = .pgvector
        await #expect {
            try await TestServer.withDependencies(configuration) { _ in }
        } throws: { error in
            "\(error)".contains("ARGUS_SEARCH_INDEX=pgvector needs PostgreSQL")
        }
    }
}
