import ArgusCore
import ArgusVision
import FluentKit
import Foundation

/// Renders an image's annotated version and its thumbnails, once each, into the cache
/// (`DerivedImages`): for the image routes and for their signed `/files/` links alike.
struct DerivedImageRenderer {
    let dependencies: ServerDependencies
    var images: ImageServices { dependencies.images }

    static let thumbnailSizes = 32...1024
    static let defaultThumbnailSize = 256
    /// Stored images passed the upload's size check; their renderings are not limited again.
    private static let storedImageLimits = ImageLimits(minWidth: 1, minHeight: 1, maxWidth: 65535, maxHeight: 65535)

    /// The image with its stored boxes and circles drawn, as JPEG.
    func annotated(_ record: ImageRecord) async throws -> Data {
        let id = try record.requireID()
        let cache = DerivedImages(directory: images.cacheDirectory)
        if let cached = cache.annotated(imageId: id) { return cached }
        let objects = try await DetectedObjectRecord.stored(imageId: id, on: dependencies.database.db)
        let source = try await images.store.get(record.blobKey)
        let rendered = try await dependencies.pool.run { () throws -> [UInt8] in
            let image = try Image.decode(Array(source), limits: Self.storedImageLimits)
            let boxes = objects.filter { $0.kind == "box" }.map {
                Detection(
                    classId: $0.classId ?? 0, label: $0.label, confidence: Float($0.confidence),
                    box: BoundingBox(x1: Float($0.x1), y1: Float($0.y1), x2: Float($0.x2), y2: Float($0.y2)))
            }
            let circles = objects.filter { $0.kind == "circle" }.map {
                Image.Circle(
                    centerX: Float(($0.x1 + $0.x2) / 2), centerY: Float(($0.y1 + $0.y2) / 2), radius: Float($0.radius ?? 0),
                    label: Image.label("circle", confidence: Double($0.confidence)))
            }
            return try image.annotated(with: boxes, circles: circles).encoded(as: .jpeg(quality: 90))
        }
        cache.storeAnnotated(Data(rendered), imageId: id)
        return Data(rendered)
    }

    /// A JPEG whose longer side is `size` pixels (never upscaled).
    func thumbnail(_ record: ImageRecord, size: Int) async throws -> Data {
        let id = try record.requireID()
        let cache = DerivedImages(directory: images.cacheDirectory)
        if let cached = cache.thumbnail(imageId: id, size: size) { return cached }
        let source = try await images.store.get(record.blobKey)
        let encoded = try await dependencies.pool.run { () throws -> [UInt8] in
            let image = try Image.decode(Array(source), limits: Self.storedImageLimits)
            let scale = min(1, Double(size) / Double(max(image.width, image.height)))
            let width = max(1, Int((Double(image.width) * scale).rounded()))
            let height = max(1, Int((Double(image.height) * scale).rounded()))
            let small = try scale < 1 ? image.resized(width: width, height: height) : image
            return try small.encoded(as: .jpeg(quality: 85))
        }
        cache.storeThumbnail(Data(encoded), imageId: id, size: size)
        return Data(encoded)
    }
}

extension DetectedObjectRecord {
    /// An image's objects, most confident first.
    static func stored(imageId: UUID, on db: any Database) async throws -> [DetectedObjectRecord] {
        try await query(on: db).filter(\.$image.$id == imageId).sort(\.$confidence, .descending).sort(\.$id).all()
    }
}
