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
