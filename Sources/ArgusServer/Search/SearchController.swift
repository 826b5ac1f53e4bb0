import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import Hummingbird

/// Search over the caller's images: by similarity to a stored image
/// (`GET /images/{id}/similar`) or an uploaded one (`POST /search/similar`, not stored),
/// by detection labels and tags (`GET /search?q=`), and near-duplicate groups
/// (`GET /images/duplicates`). Only images with an embedding (the `embed` task) take part
/// in the similarity routes; a stored query image without one is embedded first.
struct SearchController {
    let dependencies: ServerDependencies
    var db: any Database { dependencies.database.db }
    var embeddings: ImageEmbeddings { ImageEmbeddings(dependencies: dependencies) }

    /// Under `/images`.
    var imageRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get("duplicates") { request, context in try await duplicates(request, context: context) }
        routes.get(":id/similar") { request, context in try await similar(request, context: context) }
        return routes
    }

    /// Under `/search`.
    var searchRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { request, context in try await labels(request, context: context) }
        return routes
    }

    /// Under `/search`, in the inference group (it reads an image and runs the model).
    var uploadRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post("similar") { request, context in try await similarToUpload(request, context: context) }
        return routes
    }

    struct Results: Encodable {
        let items: [SearchHit]
        /// `POST /search/similar`: the uploaded image's own tags.
        var tags: [ImageTagResponse]? = nil
        /// How the similarity routes searched ("exact" or "pgvector"), and over how many of the caller's images.
        var index: String? = nil
        var searched: Int? = nil
    }

    struct ImageTagResponse: Encodable {
        let label: String
        let score: Double
    }

    func similar(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let query = try SimilarityQuery(try RequestParameters(request, allowed: SimilarityQuery.names))
        let id = try context.parameters.require("id", as: UUID.self)
        guard let record = try await ImageRecord.find(id, on: db), record.$user.id == identity.userId || identity.isAdmin else {
            throw APIError.notFound("no such image")
        }
        let vector = try await embeddings.vector(of: record)
        let owner = record.$user.id
        let matches = try await dependencies.similarity.similar(
            to: vector, userId: owner, limit: query.limit, threshold: query.threshold, excluding: id, on: db)
        var results = Results(items: try await hits(matches))
        results.index = dependencies.similarity.kind
        results.searched = max(0, try await dependencies.similarity.count(of: owner, on: db) - 1)
        return try JSONResponse.make(results)
    }

    func similarToUpload(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        var parameters = try RequestParameters(request, allowed: SimilarityQuery.names)
        _ = try SimilarityQuery(parameters)
        _ = try dependencies.embeddings.embedder()
        let reservation = try dependencies.pool.reserve()
        let upload = try await UploadedImage.read(
            from: request, field: "image", maxBytes: dependencies.configuration.maxUploadBytes)
        try parameters.merge(formFields: upload.fields, allowed: SimilarityQuery.names)
        let query = try SimilarityQuery(parameters)
        let embedded = try await embeddings.embed(upload.bytes, reservation: reservation)
        try await dependencies.similarity.refresh(from: db)
        let matches = try await dependencies.similarity.similar(
            to: embedded.embedding.vector, userId: identity.userId, limit: query.limit, threshold: query.threshold,
            excluding: nil, on: db)
        var results = Results(items: try await hits(matches))
        results.tags = embedded.embedding.tags.map { ImageTagResponse(label: $0.label, score: Double($0.score)) }
        results.index = dependencies.similarity.kind
        results.searched = try await dependencies.similarity.count(of: identity.userId, on: db)
        return try JSONResponse.make(results)
    }

    func labels(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let parameters = try RequestParameters(request, allowed: ["q", "limit"])
        let search = try LabelSearch(parameters["q"])
        let limit = try parameters.integer("limit", default: 20, in: SimilarityQuery.limits)
        let found = try await search.run(userId: identity.userId, limit: limit, on: db)
        let records = try await records(found.map(\.0))
        let items = try found.compactMap { id, match -> SearchHit? in
            guard let record = records[id] else { return nil }
            var hit = try SearchHit(record, score: match.score, signedURLs: dependencies.images.signedURLs)
            hit.matched = match.labels
            return hit
        }
        return try JSONResponse.make(Results(items: items))
    }

    /// Edited copies of a photo (resized, recompressed, cropped by 10%, mirrored) score
    /// 0.89-0.99 with it; different photos at most 0.82 (1 pair in 1000 above 0.59) among
    /// the sample and COCO-128 images (docs/search.md).
    static let duplicateThreshold = 0.85

    struct DuplicateGroup: Encodable {
        let images: [SearchHit]
        /// The weakest and strongest similarity between two images that joined the group.
        let min_score: Double
        let max_score: Double
    }

    struct Duplicates: Encodable {
        let groups: [DuplicateGroup]
        let threshold: Double
        let searched: Int
    }

    /// Groups of the caller's embedded images at least `threshold` alike.
    func duplicates(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let parameters = try RequestParameters(request, allowed: ["threshold"])
        let threshold = try parameters.number("threshold", in: 0.5...1) ?? Self.duplicateThreshold
        try await dependencies.similarity.refresh(from: db)
        let index = dependencies.similarity
        let userId = identity.userId
        let pairs = try await index.pairs(userId: userId, threshold: Float(threshold), on: db, pool: dependencies.pool)
        let groups = DuplicateGroups.groups(pairs)
        let records = try await records(groups.flatMap(\.members))
        let signedURLs = dependencies.images.signedURLs
        let answer = try groups.compactMap { group -> DuplicateGroup? in
            let images = try group.members.compactMap { id in
                try records[id].map { try SearchHit($0, score: Double(group.best[id] ?? 1), signedURLs: signedURLs) }
            }
            guard images.count > 1 else { return nil }
            return DuplicateGroup(
                images: images, min_score: Double(group.minScore), max_score: Double(group.maxScore))
        }
        return try JSONResponse.make(
            Duplicates(groups: answer, threshold: threshold, searched: try await index.count(of: userId, on: db)))
    }

    /// The hits in order; an image deleted since its vector was indexed leaves the index.
    private func hits(_ matches: [SimilarityMatch<UUID>]) async throws -> [SearchHit] {
        let records = try await records(matches.map(\.id))
        return try matches.compactMap { match in
            guard let record = records[match.id] else {
                dependencies.similarity.remove(imageId: match.id)
                return nil
            }
            return try SearchHit(record, score: Double(match.score), signedURLs: dependencies.images.signedURLs)
        }
    }

    private func records(_ ids: [UUID]) async throws -> [UUID: ImageRecord] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await ImageRecord.query(on: db).filter(\.$id ~~ ids).all()
        return Dictionary(rows.compactMap { row in row.id.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
    }
}
