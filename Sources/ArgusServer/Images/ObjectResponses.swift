import ArgusCore
import Foundation

/// An object in a list: `{"object_id", "kind", "label", "confidence", "bbox": [x1, y1, x2, y2]}`.
struct ObjectSummary: Codable {
    let object_id: String
    let kind: String
    let label: String
    let confidence: Float
    let bbox: [Float]

    init(_ record: DetectedObjectRecord) throws {
        object_id = try record.requireID().lowercased
        kind = record.kind
        label = record.label
        confidence = NumberFormat.float(record.confidence)
        bbox = [record.x1, record.y1, record.x2, record.y2].map(NumberFormat.float)
    }
}

/// One object with its geometry: the centroid, and the radius (a circle's own, or for a
/// box the radius of the circle through its corners).
struct ObjectDetail: Codable {
    let object_id: String
    let kind: String
    let label: String
    let class_id: Int?
    let confidence: Float
    let bbox: [Float]
    /// Derived from the box as shown: its midpoint, and its radius (six decimals).
    let centroid: [Double]
    let radius: Double
    let image_id: String?
    let created_at: Date?

    init(_ record: DetectedObjectRecord) throws {
        object_id = try record.requireID().lowercased
        kind = record.kind
        label = record.label
        class_id = record.classId
        confidence = NumberFormat.float(record.confidence)
        bbox = [record.x1, record.y1, record.x2, record.y2].map(NumberFormat.float)
        let (x1, y1, x2, y2) = (
            NumberFormat.shown(record.x1), NumberFormat.shown(record.y1), NumberFormat.shown(record.x2),
            NumberFormat.shown(record.y2)
        )
        centroid = [(x1 + x2) / 2, (y1 + y2) / 2].map(NumberFormat.derived)
        let halfWidth = (x2 - x1) / 2, halfHeight = (y2 - y1) / 2
        radius =
            record.radius.map(NumberFormat.shown)
            ?? NumberFormat.derived((halfWidth * halfWidth + halfHeight * halfHeight).squareRoot())
        image_id = record.$image.id?.lowercased
        created_at = record.createdAt
    }
}

extension DetectedObjectRecord {
    static func box(_ detection: Detection, runId: UUID, imageId: UUID?, userId: UUID) -> DetectedObjectRecord {
        let record = make(
            kind: "box", label: detection.label, confidence: detection.confidence, box: detection.box,
            runId: runId, imageId: imageId, userId: userId)
        record.classId = detection.classId
        return record
    }

    static func circle(_ circle: DetectedCircle, runId: UUID, imageId: UUID?, userId: UUID) -> DetectedObjectRecord {
        let record = make(
            kind: "circle", label: "circle", confidence: circle.confidence, box: circle.box,
            runId: runId, imageId: imageId, userId: userId)
        record.radius = Double(circle.radius)
        return record
    }

    /// A video's track as one object: its mean confidence, and its box on the frame where
    /// the detector was surest of it.
    static func track(_ track: TrackFormats.TrackRecord, runId: UUID, userId: UUID) -> DetectedObjectRecord {
        let best = track.boxes.filter { !$0.predicted }.max { $0.confidence < $1.confidence } ?? track.boxes.first
        let corners = best?.bbox ?? [0, 0, 0, 0]
        let record = make(
            kind: "track", label: track.label, confidence: track.meanConfidence,
            box: BoundingBox(x1: corners[0], y1: corners[1], x2: corners[2], y2: corners[3]), runId: runId, imageId: nil,
            userId: userId)
        record.classId = track.classId
        return record
    }

    private static func make(
        kind: String, label: String, confidence: Float, box: BoundingBox, runId: UUID, imageId: UUID?, userId: UUID
    ) -> DetectedObjectRecord {
        let record = DetectedObjectRecord()
        record.$run.id = runId
        record.$image.id = imageId
        record.userId = userId
        record.kind = kind
        record.createdMicros = .nowMicros
        record.label = label
        record.confidence = Double(confidence)
        (record.x1, record.y1, record.x2, record.y2) = (Double(box.x1), Double(box.y1), Double(box.x2), Double(box.y2))
        return record
    }
}
