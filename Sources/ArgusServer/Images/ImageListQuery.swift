import FluentKit
import Foundation
import Hummingbird

/// `GET /api/v1/images` filters and its cursor: newest first, keyed by (created_at, id).
struct ImageListQuery {
    var limit = PageSize.default
    var label: String?
    var minConfidence: Double?
    var since: Date?
    var until: Date?
    var hasObjects: Bool?
    var cursor: KeysetCursor?

    static let names: Set<String> = ["limit", "cursor", "label", "min_confidence", "since", "until", "has_objects"]

    init(_ request: Request) throws(APIError) {
        let parameters = try RequestParameters(request, allowed: Self.names)
        limit = try parameters.integer("limit", default: limit, in: PageSize.allowed)
        cursor = try KeysetCursor.parameter(parameters)
        label = parameters["label"].flatMap { $0.isEmpty ? nil : $0 }
        minConfidence = try parameters.number("min_confidence", in: 0...1)
        since = try parameters.date("since")
        until = try parameters.date("until")
        hasObjects = try parameters.boolean("has_objects")
        if hasObjects == false, label != nil || minConfidence != nil {
            throw .badRequest("invalid_parameter", "has_objects=false cannot be combined with label or min_confidence")
        }
    }

    /// The user's images matching the filters, one page.
    func page(userId: UUID, on db: any Database) async throws -> (items: [ImageRecord], next: KeysetCursor?) {
        var query = ImageRecord.query(on: db).filter(\.$user.$id == userId)
        if let since { query = query.filter(\.$createdAt >= since) }
        if let until { query = query.filter(\.$createdAt < until) }
        if label != nil || minConfidence != nil || hasObjects == true {
            // Images with at least one object meeting every object filter at once.
            var objects = DetectedObjectRecord.query(on: db).filter(\.$userId == userId).filter(\.$image.$id != nil)
            if let label { objects = objects.filter(\.$label == label) }
            if let minConfidence { objects = objects.filter(\.$confidence >= minConfidence) }
            let ids = try await objects.unique().all(\.$image.$id).compactMap { $0 }
            query = query.filter(\.$id ~~ ids)
        } else if hasObjects == false {
            let ids = try await DetectedObjectRecord.query(on: db).filter(\.$userId == userId).filter(\.$image.$id != nil)
                .unique().all(\.$image.$id).compactMap { $0 }
            query = query.filter(\.$id !~ ids)
        }
        return try await query.page(after: cursor, order: .newestFirst, limit: limit)
    }
}
