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

extension ImageServices {
    /// Local storage under the configured folder; circles in process or from the
    /// configured model server.
    static func make(configuration: ServerConfiguration, secret: String) throws -> ImageServices {
        let store: LocalBlobStore
        do {
            store = try LocalBlobStore(root: configuration.storagePath)
        } catch {
            throw ConfigurationError(description: "ARGUS_STORAGE_DIR=\(configuration.storagePath) cannot be used: \(error)")
        }
        let circles: any CircleDetector
        switch configuration.circles.backend {
        case .local:
            circles = HoughCircleDetector()
        case .remote:
            var settings = OpenInferenceClient.Settings()
            settings.timeout = .seconds(Int64(configuration.circles.timeoutSeconds))
            settings.bearerToken = configuration.circles.apiKey
            circles = RemoteCircleDetector(
                client: OpenInferenceClient(baseURL: configuration.circles.url ?? "", settings: settings),
                model: configuration.circles.model)
        }
        return ImageServices(
            store: store, signedURLs: SignedURLs(secret: secret, lifetime: configuration.signedURLLifetime),
            cacheDirectory: configuration.cachePath, circles: circles)
    }
}
