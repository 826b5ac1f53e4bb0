import ArgusCore
import ArgusVision
import Foundation

/// Where tests find the repository, the shared data beside it and the models setup installed.
public enum TestEnvironment {
    public static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `ARGUS_SHARED_DIR`, or `../shared` beside the repository.
    public static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["ARGUS_SHARED_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    public static func sampleImage(_ name: String) -> URL {
        shared.appendingPathComponent("datasets/samples/images/\(name)")
    }

    public static func sampleBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: sampleImage(name)))
    }

    public static let runtime: ONNXRuntime = {
        do {
            return try ONNXRuntime.load()
        } catch {
            fatalError("ONNX Runtime is not installed (run make setup): \(error)")
        }
    }()

    /// A private models directory holding every detector the tests use: the two that
    /// setup converts, the catalogue models from shared/ (imported, so their sha256 is
    /// checked) and the test-only YOLOv8 export as a custom model.
    public static let models: ModelStore = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("argus-test-models-\(UUID().uuidString)")
        let store = ModelStore(directory: directory.path)
        do {
            let installed = repoRoot.appendingPathComponent("models").path
            for id in ["yolov3-tiny", "yolov3-tiny-decoded"] {
                let manifest = try store.manifest(for: id)
                try store.importFile(at: installed + "/" + manifest.file, as: id)
            }
            // The face detector, U²-Net-p and the embedder are not catalogue detectors: their files are
            // copied as setup installed them.
            for file in [FaceDetector.modelFile, BackgroundModel.u2netp.file, ImageEmbedder.modelFile, ImageEmbedder.labelsFile] {
                try FileManager.default.copyItem(atPath: installed + "/" + file, toPath: directory.path + "/" + file)
            }
            let sharedModels = shared.appendingPathComponent("models").path
            try store.importFile(at: sharedModels + "/yolox-nano/yolox_nano_416.onnx", as: "yolox-nano")
            try store.importFile(at: sharedModels + "/picodet-s/picodet_s_320_coco.onnx", as: "picodet-s")
            try store.importFile(at: sharedModels + "/nanodet-m/nanodet_m_416.onnx", as: "nanodet-m")
            try store.importFile(
                at: sharedModels + "/test-only/yolov8n_int8_dynamic.onnx", as: "yolov8n-int8",
                custom: ModelCatalogue.preset(
                    id: "yolov8n-int8", family: .yolov8, file: "yolov8n-int8.onnx", inputSize: 640,
                    labels: COCOCategories.names))
        } catch {
            fatalError("cannot prepare test models (run make setup; is ../shared there?): \(error)")
        }
        return store
    }()

    /// The face detector of `models`, as a server loads it.
    public static let faces = FaceLibrary(store: models, runtime: runtime, sessionOptions: SessionOptions(intraOpThreads: 1))

    public static let detectors = DetectorLibrary(
        store: models, runtime: runtime, sessionOptions: SessionOptions(intraOpThreads: 1))

    /// A fresh empty folder under the system's temporary directory.
    public static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("argus-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
