/// The wire shapes of detections shared by the HTTP API and the CLI.

/// `{"x1","y1","x2","y2"}` in source pixels.
public struct BoxRecord: Codable, Sendable, Hashable {
    public var x1: Float
    public var y1: Float
    public var x2: Float
    public var y2: Float

    public init(_ box: BoundingBox) {
        (x1, y1, x2, y2) = (box.x1, box.y1, box.x2, box.y2)
    }
}

/// `{"label","class_id","confidence","bbox"}`.
public struct DetectionRecord: Codable, Sendable, Hashable {
    public var label: String
    public var classId: Int
    public var confidence: Float
    public var bbox: BoxRecord

    enum CodingKeys: String, CodingKey {
        case label, confidence, bbox
        case classId = "class_id"
    }

    public init(_ detection: Detection) {
        label = detection.label
        classId = detection.classId
        confidence = detection.confidence
        bbox = BoxRecord(detection.box)
    }
}
