import ArgusCore
import ArgusVision
import FluentKit
import Foundation

/// Embeds images (one EfficientNet-Lite0 pass gives the vector and the tags), stores
/// both, and keeps the similarity index in step.
struct ImageEmbeddings: Sendable {
    let dependencies: ServerDependencies
    var index: any SimilarityIndex { dependencies.similarity }

    struct Embedded: Sendable {
        let width: Int
        let height: Int
        let embedding: ImageEmbedding
        let totalMs: Double
    }

    /// Decodes `bytes` and embeds them in one slot of the inference pool.
    func embed(
        _ bytes: [UInt8], tags: TagOptions = TagOptions(), reservation: InferencePool.Reservation? = nil
    ) async throws -> Embedded {
        let embedder = try dependencies.embeddings.embedder()
        let limits = dependencies.configuration.imageLimits
        let embedded = try await dependencies.pool.run(reservation: reservation) { () throws -> Embedded in
            let start = ContinuousClock.now
            let image = try Image.decode(bytes, limits: limits)
            let embedding = try embedder.embed(image, tags: tags)
            return Embedded(
                width: image.width, height: image.height, embedding: embedding, totalMs: TaskRunner.milliseconds(since: start))
        }
        dependencies.metrics.inferenceFinished(model: ImageEmbedder.modelName, milliseconds: embedded.embedding.timings.inference)
        return embedded
    }

    /// `embed` for a job: no client to answer `503 busy`, so it waits its turn.
    func embedWaiting(_ bytes: [UInt8]) async throws -> Embedded {
        try await TaskRunner.waitingForPool { try await embed(bytes) }
    }

    /// Replaces the image's embedding and tags (in `db`, a job's closing transaction say)
    /// and puts the vector in the index.
    func store(_ embedded: Embedded, imageId: UUID, userId: UUID, on db: any Database) async throws {
        try await ImageEmbeddingRecord.query(on: db).filter(\.$id == imageId).delete()
        try await ImageTagRecord.query(on: db).filter(\.$imageId == imageId).delete()
        try await ImageEmbeddingRecord(
            imageId: imageId, userId: userId, model: ImageEmbedder.modelName, vector: embedded.embedding.vector
        ).create(on: db)
        let tags = embedded.embedding.tags.map {
            ImageTagRecord(imageId: imageId, userId: userId, label: $0.label, classId: $0.classId, score: Double($0.score))
        }
        if !tags.isEmpty { try await tags.create(on: db) }
        try await index.stored(imageId: imageId, userId: userId, vector: embedded.embedding.vector, on: db)
    }

    /// The stored image's vector: from the index, or embedded now (and stored, with a run
    /// in the history) when it has none yet.
    func vector(of record: ImageRecord) async throws -> [Float] {
        let db = dependencies.database.db
        try await index.refresh(from: db)
        let imageId = try record.requireID()
        if let vector = try await index.vector(of: imageId, on: db) { return vector }
        let bytes = Array(try await dependencies.images.store.get(record.blobKey))
        let embedded = try await embed(bytes)
        let userId = record.$user.id
        try await db.transaction { db in
            try await store(embedded, imageId: imageId, userId: userId, on: db)
            _ = try await TaskRunner(dependencies: dependencies).record(
                task: .embed, model: ImageEmbedder.modelName, userId: userId, imageId: imageId, width: embedded.width,
                height: embedded.height, inferenceMs: embedded.embedding.timings.inference, totalMs: embedded.totalMs, on: db
            ) { _ in [] }
        }
        return embedded.embedding.vector
    }

    /// Drops the image's embedding and tags (its row goes with the image).
    func remove(imageId: UUID, on db: any Database) async throws {
        try await ImageTagRecord.query(on: db).filter(\.$imageId == imageId).delete()
        try await ImageEmbeddingRecord.query(on: db).filter(\.$id == imageId).delete()
        index.remove(imageId: imageId)
    }
}
