/// The face detector of a models folder, loaded on first use and shared.
public final class FaceLibrary: Sendable {
    public let store: ModelStore
    public let runtime: ONNXRuntime
    public let sessionOptions: SessionOptions
    private let loaded = LoadedOnce<String, FaceDetector>()

    public init(store: ModelStore, runtime: ONNXRuntime, sessionOptions: SessionOptions) {
        self.store = store
        self.runtime = runtime
        self.sessionOptions = sessionOptions
    }

    /// - Throws: `ModelStoreError.notInstalled` when setup has not installed the model.
    public func detector() throws -> FaceDetector {
        try loaded.value(FaceDetector.modelFile) {
            try FaceDetector.installed(in: store, runtime: runtime, options: sessionOptions)
        }
    }
}
