import ArgumentParser
import ArgusCore
import ArgusVision
import Foundation

/// Options shared by commands that load a detector.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model id (see `argus models list`).")
    var model: String = ModelCatalogue.defaultDetector

    @Option(help: "Intra-op threads for ONNX Runtime (0: one per core).")
    var threads: Int = 0

    @Option(help: "Path of libonnxruntime.so (default: ARGUS_ORT_LIBRARY or the one setup installed).")
    var ortLibrary: String?

    /// `allowSpinning`: see SessionOptions.allowSpinning; `threads`: instead of `--threads`.
    func loadDetector(allowSpinning: Bool = true, threads: Int? = nil) throws -> Detector {
        let threads = threads ?? self.threads
        guard threads >= 0 else { throw ValidationError("--threads must be 0 or more") }
        let runtime = try ONNXRuntime.load(libraryPath: ortLibrary)
        let library = DetectorLibrary(
            store: ModelStore(directory: ModelStore.defaultDirectory()), runtime: runtime,
            sessionOptions: SessionOptions(intraOpThreads: threads, allowSpinning: allowSpinning))
        return try library.detector(for: model)
    }
}

/// The image files named on the command line: files as given, folders expanded to
/// the images directly inside them (sorted). Missing paths are reported, not fatal.
struct ImagePaths {
    static let extensions: Set<String> = ["jpg", "jpeg", "png", "webp", "bmp"]

    var files: [String] = []
    var missing: [String] = []
    var sawFolder = false

    init(_ paths: [String]) {
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                missing.append(path)
                continue
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            sawFolder = true
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files += names.filter { Self.extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
    }
}
