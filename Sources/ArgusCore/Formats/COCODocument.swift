/// The entries of a COCO object-detection document (`images`, `annotations` with a
/// `score`, `categories`), as the detections export streams them.
public enum COCODocument {
    public struct Image: Encodable, Sendable {
        public let id: Int
        /// Argus's own id of the stored image.
        public let argus_id: String
        public let file_name: String
        public let width: Int
        public let height: Int

        public init(id: Int, argus_id: String, file_name: String, width: Int, height: Int) {
            (self.id, self.argus_id, self.file_name, self.width, self.height) = (id, argus_id, file_name, width, height)
        }
    }

    public struct Annotation: Encodable, Sendable {
        public let id: Int
        public let image_id: Int
        public let category_id: Int
        /// `[x, y, width, height]`.
        public let bbox: [Float]
        public let area: Float
        public let iscrowd = 0
        public let score: Float

        public init(id: Int, image_id: Int, category_id: Int, box: BoundingBox, score: Float) {
            self.id = id
            self.image_id = image_id
            self.category_id = category_id
            bbox = [box.x1, box.y1, box.width, box.height]
            area = box.width * box.height
            self.score = score
        }
    }

    public struct Category: Encodable, Sendable {
        public let id: Int
        public let name: String

        public init(id: Int, name: String) {
            self.id = id
            self.name = name
        }
    }
}
