import FluentKit
import Foundation
import Hummingbird

/// `GET /api/v1/images` filters and its cursor: newest first, keyed by (created_at, id).
struct ImageListQuery {
    var limit = 20
    var label: String?
    var minConfidence: Double?
    var since: Date?
    var until: Date?
    var hasObjects: Bool?
    var cursor: Cursor?

    /// The last item of a page: its creation time in microseconds and its id.
    struct Cursor {
        let micros: Int64
        let id: UUID

        var token: String { SecretTokens.base64URL(Data("\(micros)|\(id.uuidString)".utf8)) }

        init(micros: Int64, id: UUID) {
            self.micros = micros
            self.id = id
        }

        init?(token: String) {
            guard let data = SignedURLs.decode(token[...]), let text = String(data: data, encoding: .utf8) else { return nil }
            let parts = text.split(separator: "|")
            guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
            self.micros = micros
            self.id = id
        }
    }

    static let names: Set<String> = ["limit", "cursor", "label", "min_confidence", "since", "until", "has_objects"]

    init(_ request: Request) throws(APIError) {
        let parameters = DetectController.parameters(of: request)
        if let unknown = parameters.keys.sorted().first(where: { !Self.names.contains($0) }) {
            throw .badRequest("invalid_parameter", "unknown query parameter '\(unknown)'")
        }
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw .badRequest("invalid_parameter", "limit must be an integer from 1 to 100")
            }
            limit = value
        }
        if let text = parameters["cursor"] {
            guard let cursor = Cursor(token: text) else { throw .badRequest("invalid_parameter", "cursor is not one this server gave out") }
            self.cursor = cursor
        }
        label = parameters["label"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = parameters["min_confidence"] {
            guard let value = Double(text), (0...1).contains(value) else {
                throw .badRequest("invalid_parameter", "min_confidence must be a number from 0 to 1")
            }
            minConfidence = value
        }
        since = try Self.date(parameters["since"], name: "since")
        until = try Self.date(parameters["until"], name: "until")
        if let text = parameters["has_objects"] {
            guard let value = Bool(text.lowercased()) else { throw .badRequest("invalid_parameter", "has_objects must be true or false") }
            hasObjects = value
        }
        if hasObjects == false, label != nil || minConfidence != nil {
            throw .badRequest("invalid_parameter", "has_objects=false cannot be combined with label or min_confidence")
        }
    }

    /// RFC 3339 date-times (`2026-11-23T10:00:00Z`) or plain dates (`2026-11-23`, midnight UTC).
    static func date(_ text: String?, name: String) throws(APIError) -> Date? {
        guard let text else { return nil }
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw .badRequest("invalid_parameter", "\(name) must be a date (2026-11-23) or date-time (2026-11-23T10:00:00Z)")
    }

    /// The user's images matching the filters, one page.
    func page(userId: UUID, on db: any Database) async throws -> (items: [ImageRecord], next: Cursor?) {
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
        if let cursor {
            query = query.group(.or) { group in
                group.filter(\.$createdMicros < cursor.micros)
                    .group(.and) { $0.filter(\.$createdMicros == cursor.micros).filter(\.$id < cursor.id) }
            }
        }
        let rows = try await query.sort(\.$createdMicros, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.flatMap { record in record.id.map { Cursor(micros: record.createdMicros, id: $0) } } : nil
        return (items, next)
    }
}
