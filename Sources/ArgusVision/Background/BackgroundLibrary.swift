import Foundation

/// The background-removal models of a models folder, each loaded on first use and shared.
public final class BackgroundLibrary: Sendable {
    public let store: ModelStore
    public let runtime: ONNXRuntime
    public let sessionOptions: SessionOptions
    private let loaded = LoadedOnce<BackgroundModel, BackgroundRemover>()

    public init(store: ModelStore, runtime: ONNXRuntime, sessionOptions: SessionOptions) {
        self.store = store
        self.runtime = runtime
        self.sessionOptions = sessionOptions
    }

    /// - Throws: `ModelStoreError.notInstalled` when setup has not installed `model`.
    public func remover(_ model: BackgroundModel = .default) throws -> BackgroundRemover {
        try loaded.value(model) {
            try BackgroundRemover.installed(model, in: store, runtime: runtime, options: sessionOptions)
        }
    }

    /// The models whose files are installed.
    public var installed: [BackgroundModel] {
        BackgroundModel.allCases.filter { FileManager.default.fileExists(atPath: store.directory + "/" + $0.file) }
    }
}
