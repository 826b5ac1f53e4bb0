import ArgusCore
import FluentKit
import Foundation
import Hummingbird
import NIOCore

/// `GET /api/v1/exports/detections?format=csv|json|coco`: every object the caller's runs
/// found, streamed page by page (never the whole export in memory).
struct ExportController {
    let dependencies: ServerDependencies
    static let pageSize = 500

    enum Format: String, CaseIterable {
        case csv, json, coco
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
        let contentType = format == .csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8"
        let body = ResponseBody { writer in
            switch format {
            case .csv: try await Self.writeCSV(userId: userId, database: database, to: &writer)
            case .json: try await Self.writeJSON(userId: userId, database: database, to: &writer)
            case .coco: try await Self.writeCOCO(userId: userId, database: database, to: &writer)
            }
            try await writer.finish(nil)
        }
        let filename = "argus-detections.\(format == .csv ? "csv" : "json")"
        return Response(
            status: .ok,
            headers: [.contentType: contentType, .contentDisposition: "attachment; filename=\"\(filename)\""],
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

    static func writeCSV(userId: UUID, database: ArgusDatabase, to writer: inout any ResponseBodyWriter) async throws {
        try await write("object_id,run_id,image_id,task,model,kind,label,class_id,confidence,x1,y1,x2,y2,radius,created_at\n", to: &writer)
        let dates = ISO8601DateFormatter()
        try await forEachPage(userId: userId, database: database) { objects, runs in
            var chunk = ""
            for object in objects {
                let run = runs[object.$run.id]
                let fields: [String] = [
                    object.id?.uuidString.lowercased() ?? "", object.$run.id.uuidString.lowercased(),
                    object.$image.id?.uuidString.lowercased() ?? "", run?.task ?? "", run?.model ?? "", object.kind,
                    object.label, object.classId.map(String.init) ?? "", String(object.confidence), String(object.x1),
                    String(object.y1), String(object.x2), String(object.y2), object.radius.map { String($0) } ?? "",
                    object.createdAt.map(dates.string) ?? "",
                ]
                chunk += fields.map(CSVFormat.escape).joined(separator: ",") + "\n"
            }
            try await write(chunk, to: &writer)
        }
    }

    struct JSONObject: Encodable {
        let object_id: UUID?
        let run_id: UUID
        let image_id: UUID?
        let task: String?
        let model: String?
        let kind: String
        let label: String
        let class_id: Int?
        let confidence: Double
        let bbox: [Double]
        let radius: Double?
        let created_at: Date?
    }

    static func writeJSON(userId: UUID, database: ArgusDatabase, to writer: inout any ResponseBodyWriter) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try await write("[", to: &writer)
        var first = true
        try await forEachPage(userId: userId, database: database) { objects, runs in
            var chunk = ""
            for object in objects {
                let run = runs[object.$run.id]
                let item = JSONObject(
                    object_id: object.id, run_id: object.$run.id, image_id: object.$image.id, task: run?.task, model: run?.model,
                    kind: object.kind, label: object.label, class_id: object.classId, confidence: object.confidence,
                    bbox: [object.x1, object.y1, object.x2, object.y2], radius: object.radius, created_at: object.createdAt)
                chunk += (first ? "\n" : ",\n") + String(decoding: try encoder.encode(item), as: UTF8.self)
                first = false
            }
            try await write(chunk, to: &writer)
        }
        try await write("\n]\n", to: &writer)
    }

    /// COCO object-detection JSON for the stored images: `images`, then `annotations`
    /// (bbox as [x, y, width, height]), then `categories` (COCO's ids for COCO labels,
    /// 1000 and up for others, such as `circle`).
    /// COCO's own id when the object is a COCO class under its COCO name.
    static func cocoCategory(_ object: DetectedObjectRecord) -> Int? {
        guard object.kind == "box", let index = object.classId, COCOCategories.names.indices.contains(index),
            COCOCategories.names[index] == object.label
        else { return nil }
        return COCOCategories.categoryId(forIndex: index)
    }

    static func writeCOCO(userId: UUID, database: ArgusDatabase, to writer: inout any ResponseBodyWriter) async throws {
        var imageNumbers: [UUID: Int] = [:]
        try await write("{\"info\":{\"description\":\"Argus detections\"},\"images\":[", to: &writer)
        var lastImage: KeysetCursor?
        var firstImage = true
        repeat {
            let (page, next) = try await ImageRecord.query(on: database.db).filter(\.$user.$id == userId)
                .page(after: lastImage, order: .oldestFirst, limit: pageSize)
            var chunk = ""
            for image in page {
                guard let id = image.id else { continue }
                let number = imageNumbers.count + 1
                imageNumbers[id] = number
                let name = try String(decoding: JSONEncoder().encode(image.filename ?? id.uuidString.lowercased()), as: UTF8.self)
                chunk += (firstImage ? "" : ",")
                    + "{\"id\":\(number),\"argus_id\":\"\(id.uuidString.lowercased())\",\"file_name\":\(name),\"width\":\(image.width),\"height\":\(image.height)}"
                firstImage = false
            }
            try await write(chunk, to: &writer)
            lastImage = next
        } while lastImage != nil
        try await write("],\"annotations\":[", to: &writer)
        var categories: [String: Int] = [:]
        var annotation = 0
        try await forEachPage(userId: userId, database: database, onlyWithImage: true) { objects, _ in
            var chunk = ""
            for object in objects {
                guard let imageId = object.$image.id, let number = imageNumbers[imageId] else { continue }
                let category = categories[object.label] ?? {
                    let id = cocoCategory(object) ?? 1000 + categories.count
                    categories[object.label] = id
                    return id
                }()
                annotation += 1
                let width = object.x2 - object.x1, height = object.y2 - object.y1
                chunk += (annotation == 1 ? "" : ",")
                    + "{\"id\":\(annotation),\"image_id\":\(number),\"category_id\":\(category),\"bbox\":[\(object.x1),\(object.y1),\(width),\(height)],\"area\":\(width * height),\"iscrowd\":0,\"score\":\(object.confidence)}"
            }
            try await write(chunk, to: &writer)
        }
        let list = categories.sorted { $0.value < $1.value }.map { label, id in
            "{\"id\":\(id),\"name\":\(String(decoding: (try? JSONEncoder().encode(label)) ?? Data("\"\"".utf8), as: UTF8.self))}"
        }
        try await write("],\"categories\":[" + list.joined(separator: ",") + "]}\n", to: &writer)
    }
}
