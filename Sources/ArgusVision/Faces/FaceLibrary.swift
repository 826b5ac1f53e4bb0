import Synchronization

/// The face detector of a models folder, loaded on first use and shared.
public final class FaceLibrary: Sendable {
    public let store: ModelStore
    public let runtime: ONNXRuntime
    public let sessionOptions: SessionOptions
    private let loaded = Mutex<FaceDetector?>(nil)

    public init(store: ModelStore, runtime: ONNXRuntime, sessionOptions: SessionOptions) {
        self.store = store
        self.runtime = runtime
        self.sessionOptions = sessionOptions
    }

    /// - Throws: `ModelStoreError.notInstalled` when setup has not installed the model.
    public func detector() throws -> FaceDetector {
        if let detector = loaded.withLock({ $0 }) { return detector }
        let detector = try FaceDetector.installed(in: store, runtime: runtime, options: sessionOptions)
        return loaded.withLock { cached in
            if let cached { return cached }
            cached = detector
            return detector
        }
    }
}
