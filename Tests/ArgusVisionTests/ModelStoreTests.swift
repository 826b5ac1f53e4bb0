import ArgusCore
import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

@Suite struct ModelStoreTests {
    let sharedModels = TestEnvironment.shared.appendingPathComponent("models")

    @Test func importingACatalogueModelChecksItsSha256() throws {
        let store = ModelStore(directory: try TestEnvironment.temporaryDirectory("store").path)
        let yolox = try store.manifest(for: "yolox-nano")
        #expect(!store.isInstalled(yolox))
        #expect(try store.verify(yolox) == .missing)
        #expect {
            try store.importFile(at: sharedModels.appendingPathComponent("nanodet-m/nanodet_m_416.onnx").path, as: "yolox-nano")
        } throws: { error in
            if case ModelStoreError.checksumMismatch = error { return true }
            return false
        }
        #expect(!store.isInstalled(yolox))
        try store.importFile(at: sharedModels.appendingPathComponent("yolox-nano/yolox_nano_416.onnx").path, as: "yolox-nano")
        #expect(try store.verify(yolox) == .verified)
    }

    @Test func verifyNoticesAChangedFile() throws {
        let store = ModelStore(directory: try TestEnvironment.temporaryDirectory("store").path)
        let manifest = try store.importFile(
            at: sharedModels.appendingPathComponent("picodet-s/picodet_s_320_coco.onnx").path, as: "picodet-s")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: store.path(for: manifest)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        guard case .mismatch = try store.verify(manifest) else {
            Issue.record("a modified file still verified")
            return
        }
    }

    @Test func customModelsGetAManifestThatListsAndLoads() throws {
        let store = ModelStore(directory: try TestEnvironment.temporaryDirectory("store").path)
        let preset = ModelCatalogue.preset(
            id: "my-yolox", family: .yolox, file: "ignored.onnx", inputSize: 416, labels: COCOCategories.names)
        try store.importFile(
            at: sharedModels.appendingPathComponent("yolox-nano/yolox_nano_416.onnx").path, as: "my-yolox", custom: preset)
        let manifest = try store.manifest(for: "my-yolox")
        #expect(manifest.family == .yolox)
        #expect(manifest.file == "my-yolox.onnx")
        #expect(manifest.sha256 != nil)
        #expect(try store.verify(manifest) == .verified)
        #expect(store.manifests().contains { $0.id == "my-yolox" })
        let library = DetectorLibrary(
            store: store, runtime: TestEnvironment.runtime, sessionOptions: SessionOptions(intraOpThreads: 1))
        let image = try Image.decode(try TestEnvironment.sampleBytes("darknet_dog.jpg"))
        let labels = try library.detector(for: "my-yolox").detect(image).detections.map(\.label)
        #expect(labels.contains("dog"))
    }

    @Test func unknownModelsAndBadIdsAreRejected() throws {
        let store = ModelStore(directory: try TestEnvironment.temporaryDirectory("store").path)
        #expect(throws: ModelStoreError.self) { _ = try store.manifest(for: "no-such-model") }
        #expect(throws: ModelStoreError.invalidId("../evil")) {
            try store.importFile(at: "/dev/null", as: "../evil")
        }
        let library = DetectorLibrary(store: store, runtime: TestEnvironment.runtime, sessionOptions: SessionOptions())
        #expect {
            _ = try library.detector(for: "yolox-nano")
        } throws: { error in
            if case ModelStoreError.notInstalled = error { return true }
            return false
        }
    }
}
