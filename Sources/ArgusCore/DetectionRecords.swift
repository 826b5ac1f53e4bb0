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

/// One entry of a COCO results file: `{"file_name","image_id","category_id","bbox":[x,y,w,h],"score"}`.
/// `image_id` is present when the file name is a COCO one (digits only).
public struct COCOResultRecord: Codable, Sendable, Hashable {
    public var fileName: String
    public var imageId: Int?
    public var categoryId: Int
    public var bbox: [Float]
    public var score: Float

    enum CodingKeys: String, CodingKey {
        case score, bbox
        case fileName = "file_name"
        case imageId = "image_id"
        case categoryId = "category_id"
    }

    /// nil when the detection's class has no COCO category.
    public init?(fileName: String, detection: Detection, categoryId: Int?) {
        guard let categoryId else { return nil }
        self.fileName = fileName
        let stem = fileName.split(separator: ".").first.map(String.init) ?? fileName
        imageId = stem.allSatisfy(\.isNumber) ? Int(stem) : nil
        self.categoryId = categoryId
        let box = detection.box
        bbox = [box.x1, box.y1, box.width, box.height]
        score = detection.confidence
    }
}

/// RFC 4180 CSV rows.
public enum CSVFormat {
    public static let detectionHeader = "file,label,class_id,confidence,x1,y1,x2,y2"

    public static func row(file: String, detection: Detection) -> String {
        let box = detection.box
        return [
            escape(file), escape(detection.label), String(detection.classId), format(detection.confidence),
            format(box.x1), format(box.y1), format(box.x2), format(box.y2),
        ].joined(separator: ",")
    }

    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        var quoted = "\""
        for character in field {
            quoted.append(character)
            if character == "\"" { quoted.append("\"") }
        }
        return quoted + "\""
    }

    static func format(_ value: Float) -> String {
        String((Double(value) * 10000).rounded() / 10000)
    }
}
