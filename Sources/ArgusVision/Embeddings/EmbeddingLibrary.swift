/// The image embedder of a models folder, loaded on first use and shared.
public final class EmbeddingLibrary: Sendable {
    public let store: ModelStore
    public let runtime: ONNXRuntime
    public let sessionOptions: SessionOptions
    private let loaded = LoadedOnce<String, ImageEmbedder>()

    public init(store: ModelStore, runtime: ONNXRuntime, sessionOptions: SessionOptions) {
        self.store = store
        self.runtime = runtime
        self.sessionOptions = sessionOptions
    }

    /// - Throws: `ModelStoreError.notInstalled` when setup has not installed the model.
    public func embedder() throws -> ImageEmbedder {
        try loaded.value(ImageEmbedder.modelFile) {
            try ImageEmbedder.installed(in: store, runtime: runtime, options: sessionOptions)
        }
    }
}
