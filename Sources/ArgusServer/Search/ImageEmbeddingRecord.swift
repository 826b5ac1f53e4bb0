import FluentKit
import Foundation

/// An image's embedding: one row per image (its id is the image's), the vector as
/// little-endian Float32 bytes. The similarity index is loaded from these rows.
final class ImageEmbeddingRecord: Model, @unchecked Sendable {
    static let schema = "image_embeddings"

    @ID(custom: .id, generatedBy: .user) var id: UUID?
    @Field(key: "user_id") var userId: UUID
    @Field(key: "model") var model: String
    @Field(key: "dimension") var dimension: Int
    @Field(key: "vector") var vector: Data
    /// When the row was last written, in microseconds: the index catches up from it.
    @Field(key: "created_us") var createdMicros: Int64

    init() {}

    init(imageId: UUID, userId: UUID, model: String, vector: [Float]) {
        id = imageId
        self.userId = userId
        self.model = model
        dimension = vector.count
        self.vector = Self.bytes(vector)
        createdMicros = .nowMicros
    }

    var floats: [Float] { Self.floats(vector) }

    static func bytes(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func floats(_ data: Data) -> [Float] {
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count - 3, by: 4).map { offset in
            let bits =
                UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                | UInt32(bytes[offset + 3]) << 24
            return Float(bitPattern: bits)
        }
    }
}
