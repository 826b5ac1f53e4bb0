import Synchronization

/// Loads each detector once, on first use, and shares it.
public final class DetectorLibrary: Sendable {
    public let store: ModelStore
    public let runtime: ONNXRuntime
    public let sessionOptions: SessionOptions
    private let loaded = Mutex<[String: Detector]>([:])

    public init(store: ModelStore, runtime: ONNXRuntime, sessionOptions: SessionOptions) {
        self.store = store
        self.runtime = runtime
        self.sessionOptions = sessionOptions
    }

    /// The detector for `id`, loaded on first use and kept.
    /// - Throws: `ModelStoreError` for an unknown or missing model (its message says how
    ///   to install it), `InferenceError` or `DetectorError` for a file that cannot be used.
    public func detector(for id: String) throws -> Detector {
        if let detector = loaded.withLock({ $0[id] }) { return detector }
        let manifest = try store.manifest(for: id)
        guard manifest.task == "detection" else {
            throw ModelStoreError.invalidManifest("model '\(id)' is a \(manifest.task) model, not a detector")
        }
        let path = try store.installedPath(for: manifest)
        let detector = try Detector(manifest: manifest, modelPath: path, runtime: runtime, options: sessionOptions)
        return loaded.withLock { cache in
            if let existing = cache[id] { return existing }
            cache[id] = detector
            return detector
        }
    }

    /// Ids of the detectors loaded so far.
    public var loadedIds: [String] { loaded.withLock { Array($0.keys).sorted() } }
}
