import Foundation

/// Annotated renderings, thumbnails and background removals, kept on disk under the cache folder. They can
/// always be made again from the stored file and objects, so losing them is harmless.
struct DerivedImages {
    let directory: String
    /// Only these thumbnail sizes are kept; others are made for each request.
    static let cachedSizes: Set<Int> = [64, 128, 256, 512, 1024]

    private func path(_ imageId: UUID, _ name: String) -> String {
        "\(directory)/\(imageId.uuidString.lowercased())/\(name)"
    }

    func annotated(imageId: UUID) -> Data? { FileManager.default.contents(atPath: path(imageId, "annotated.jpg")) }

    func storeAnnotated(_ data: Data, imageId: UUID) { store(data, at: path(imageId, "annotated.jpg")) }

    func thumbnail(imageId: UUID, size: Int) -> Data? {
        FileManager.default.contents(atPath: path(imageId, "thumbnail-\(size).jpg"))
    }

    func storeThumbnail(_ data: Data, imageId: UUID, size: Int) {
        guard Self.cachedSizes.contains(size) else { return }
        store(data, at: path(imageId, "thumbnail-\(size).jpg"))
    }

    /// A background removal, by `CutoutSettings.cacheName`.
    func cutout(imageId: UUID, name: String) -> Data? { FileManager.default.contents(atPath: path(imageId, name)) }

    func storeCutout(_ data: Data, imageId: UUID, name: String) { store(data, at: path(imageId, name)) }

    /// Drops the annotated rendering and thumbnails (they show objects), keeping the rest.
    func removeRenderings(imageId: UUID) {
        let folder = "\(directory)/\(imageId.uuidString.lowercased())"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name == "annotated.jpg" || name.hasPrefix("thumbnail-") {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    func remove(imageId: UUID) {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(imageId.uuidString.lowercased())")
    }

    /// Written to a temporary name and renamed, so a reader never sees half a file.
    private func store(_ data: Data, at path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
