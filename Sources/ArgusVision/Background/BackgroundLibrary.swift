import Foundation
import Synchronization

/// The background-removal models of a models folder, each loaded on first use and shared.
public final class BackgroundLibrary: Sendable {
    public let store: ModelStore
    public let runtime: ONNXRuntime
    public let sessionOptions: SessionOptions
    private let loaded = Mutex<[BackgroundModel: BackgroundRemover]>([:])

    public init(store: ModelStore, runtime: ONNXRuntime, sessionOptions: SessionOptions) {
        self.store = store
        self.runtime = runtime
        self.sessionOptions = sessionOptions
    }

    /// - Throws: `ModelStoreError.notInstalled` when setup has not installed `model`.
    public func remover(_ model: BackgroundModel = .default) throws -> BackgroundRemover {
        if let remover = loaded.withLock({ $0[model] }) { return remover }
        let remover = try BackgroundRemover.installed(model, in: store, runtime: runtime, options: sessionOptions)
        return loaded.withLock { cache in
            if let cached = cache[model] { return cached }
            cache[model] = remover
            return remover
        }
    }

    /// The models whose files are installed.
    public var installed: [BackgroundModel] {
        BackgroundModel.allCases.filter { FileManager.default.fileExists(atPath: store.directory + "/" + $0.file) }
    }
}
