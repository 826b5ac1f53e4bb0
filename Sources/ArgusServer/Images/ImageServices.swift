import ArgusVision
import Foundation

/// What the image routes share: the file store, signed links, the derived-image cache
/// and the circle detector.
public struct ImageServices: Sendable {
    public let store: any BlobStore
    public let signedURLs: SignedURLs
    public let cacheDirectory: String
    public let circles: any CircleDetector

    public init(store: any BlobStore, signedURLs: SignedURLs, cacheDirectory: String, circles: any CircleDetector) {
        self.store = store
        self.signedURLs = signedURLs
        self.cacheDirectory = cacheDirectory
        self.circles = circles
    }
}
