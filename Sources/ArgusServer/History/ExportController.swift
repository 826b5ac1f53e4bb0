import ArgusCore
import FluentKit
import Foundation
import Hummingbird
import NIOCore

/// `GET /api/v1/exports/detections?format=csv|json|jsonl|coco`: every object the caller's runs
/// found, streamed page by page (never the whole export in memory).
struct ExportController {
    let dependencies: ServerDependencies
    static let pageSize = 500

    enum Format: String, CaseIterable {
        case csv, json, jsonl, coco

        /// COCO is a JSON document.
        var fileExtension: String { self == .coco ? "json" : rawValue }

        var contentType: String {
            switch self {
            case .csv: "text/csv; charset=utf-8"
            case .json, .coco: "application/json; charset=utf-8"
            case .jsonl: "application/jsonl; charset=utf-8"
            }
        }
    }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get("detections") { request, context in try await export(request, context: context) }
        return routes
    }

    func export(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let format = try RequestParameters(request, allowed: ["format"]).choice("format", default: Format.json)
        let userId = identity.userId
        let database = dependencies.database
        let body = ResponseBody { writer in
            switch format {
            case .csv: try await Self.writeCSV(userId: userId, database: database, to: &writer)
            case .json: try await Self.writeJSON(userId: userId, database: database, lines: false, to: &writer)
            case .jsonl: try await Self.writeJSON(userId: userId, database: database, lines: true, to: &writer)
            case .coco: try await Self.writeCOCO(userId: userId, database: database, to: &writer)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: format.contentType,
                .contentDisposition: "attachment; filename=\"argus-detections.\(format.fileExtension)\"",
            ],
            body: body)
    }

    /// The user's objects in (created_at, id) order, one page at a time.
    static func forEachPage(
        userId: UUID, database: ArgusDatabase, onlyWithImage: Bool = false,
        _ body: ([DetectedObjectRecord], [UUID: InferenceRunRecord]) async throws -> Void
    ) async throws {
        var after: KeysetCursor?
        repeat {
            let query = DetectedObjectRecord.query(on: database.db).filter(\.$userId == userId)
            if onlyWithImage { query.filter(\.$image.$id != nil) }
            let (page, next) = try await query.page(after: after, order: .oldestFirst, limit: pageSize)
            guard !page.isEmpty else { return }
            let runIds = Array(Set(page.map { $0.$run.id }))
            let runs = try await InferenceRunRecord.query(on: database.db).filter(\.$id ~~ runIds).all()
            try await body(page, Dictionary(uniqueKeysWithValues: runs.compactMap { run in run.id.map { ($0, run) } }))
            after = next
        } while after != nil
    }

    static func write(_ text: String, to writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ByteBuffer(string: text))
    }

    static let csvHeader = CSVFormat.line([
        "object_id", "run_id", "image_id", "task", "model", "kind", "label", "class_id", "confidence", "x1", "y1", "x2", "y2",
        "radius", "created_at", "video_id",
    ])

    static func writeCSV(userId: UUID, database: ArgusDatabase, to writer: inout any ResponseBodyWriter) async throws {
        try await write(csvHeader + "\n", to: &writer)
        let dates = ISO8601DateFormatter()
        try await forEachPage(userId: userId, database: database) { objects, runs in
            var chunk = ""
            for object in objects {
                let run = runs[object.$run.id]
                let fields: [String] = [
                    object.id?.lowercased ?? "", object.$run.id.lowercased, object.$image.id?.lowercased ?? "",
                    run?.task ?? "", run?.model ?? "", object.kind, object.label, object.classId.map(String.init) ?? "",
                    NumberFormat.text(object.confidence), NumberFormat.text(object.x1), NumberFormat.text(object.y1),
                    NumberFormat.text(object.x2), NumberFormat.text(object.y2), object.radius.map(NumberFormat.text) ?? "",
                    object.createdAt.map(dates.string) ?? "", run?.videoId?.lowercased ?? "",
                ]
                chunk += CSVFormat.line(fields) + "\n"
            }
            try await write(chunk, to: &writer)
        }
    }

    /// One exported object, in the JSON and JSON-lines exports.
    struct ExportedObject: Encodable {
        let object_id: String?
        let run_id: String
        let image_id: String?
        let task: String?
        let model: String?
        let kind: String
        let label: String
        let class_id: Int?
        let confidence: Float
        let bbox: [Float]
        let radius: Float?
        let created_at: Date?
        /// A `track` object's video.
        let video_id: String?

        init(_ object: DetectedObjectRecord, run: InferenceRunRecord?) {
            object_id = object.id?.lowercased
            run_id = object.$run.id.lowercased
            image_id = object.$image.id?.lowercased
            task = run?.task
            model = run?.model
            kind = object.kind
            label = object.label
            class_id = object.classId
            confidence = NumberFormat.float(object.confidence)
            bbox = [object.x1, object.y1, object.x2, object.y2].map(NumberFormat.float)
            radius = object.radius.map(NumberFormat.float)
            created_at = object.createdAt
            video_id = run?.videoId?.lowercased
        }
    }

    /// A JSON array with one object per line, or JSON lines (the same objects, no array).
    static func writeJSON(
        userId: UUID, database: ArgusDatabase, lines: Bool, to writer: inout any ResponseBodyWriter
    ) async throws {
        let encoder = JSONLines.encoder
        if !lines { try await write("[", to: &writer) }
        var first = true
        try await forEachPage(userId: userId, database: database) { objects, runs in
            var chunk = ""
            for object in objects {
                let line = try JSONLines.line(ExportedObject(object, run: runs[object.$run.id]), encoder: encoder)
                chunk += lines ? line : (first ? "\n" : ",\n") + line.dropLast()
                first = false
            }
            try await write(chunk, to: &writer)
        }
        if !lines { try await write("\n]\n", to: &writer) }
    }

    /// COCO object-detection JSON for the stored images: `images`, then `annotations`
    /// (bbox as [x, y, width, height]), then `categories` (ids by `COCOCategoryTable`).
    static func writeCOCO(userId: UUID, database: ArgusDatabase, to writer: inout any ResponseBodyWriter) async throws {
        let encoder = JSONLines.encoder
        func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var imageNumbers: [UUID: Int] = [:]
        try await write("{\"info\":{\"description\":\"Argus detections\"},\"images\":[", to: &writer)
        var lastImage: KeysetCursor?
        repeat {
            let (page, next) = try await ImageRecord.query(on: database.db).filter(\.$user.$id == userId)
                .page(after: lastImage, order: .oldestFirst, limit: pageSize)
            var chunk = ""
            for image in page {
                guard let id = image.id else { continue }
                let number = imageNumbers.count + 1
                imageNumbers[id] = number
                let entry = COCODocument.Image(
                    id: number, argus_id: id.lowercased, file_name: image.filename ?? id.lowercased, width: image.width,
                    height: image.height)
                chunk += (number == 1 ? "" : ",") + (try json(entry))
            }
            try await write(chunk, to: &writer)
            lastImage = next
        } while lastImage != nil
        try await write("],\"annotations\":[", to: &writer)
        var categories = COCOCategoryTable()
        var annotation = 0
        try await forEachPage(userId: userId, database: database, onlyWithImage: true) { objects, _ in
            var chunk = ""
            for object in objects {
                guard let imageId = object.$image.id, let number = imageNumbers[imageId] else { continue }
                annotation += 1
                let box = BoundingBox(
                    x1: NumberFormat.float(object.x1), y1: NumberFormat.float(object.y1), x2: NumberFormat.float(object.x2),
                    y2: NumberFormat.float(object.y2))
                let entry = COCODocument.Annotation(
                    id: annotation, image_id: number,
                    category_id: categories.id(label: object.label, classId: object.kind == "box" ? object.classId : nil),
                    box: box, score: NumberFormat.float(object.confidence))
                chunk += (annotation == 1 ? "" : ",") + (try json(entry))
            }
            try await write(chunk, to: &writer)
        }
        let list = try categories.categories.map { try json(COCODocument.Category(id: $0.id, name: $0.name)) }
        try await write("],\"categories\":[" + list.joined(separator: ",") + "]}\n", to: &writer)
    }
}
