import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

@Suite struct InferenceSessionTests {
    let runtime = TestEnvironment.runtime

    func modelPath(_ id: String) throws -> String {
        let store = TestEnvironment.models
        return try store.installedPath(for: try store.manifest(for: id))
    }

    @Test func describesInputsAndOutputs() throws {
        let session = try InferenceSession(modelPath: try modelPath("yolov3-tiny"), runtime: runtime)
        #expect(session.inputs.map(\.name) == ["images"])
        #expect(session.inputs.first?.shape == [1, 3, 416, 416])
        #expect(session.inputs.first?.isFloat == true)
        #expect(session.outputs.map(\.name) == ["yolo_s32", "yolo_s16"])
        #expect(session.outputs.map(\.shape) == [[1, 255, 13, 13], [1, 255, 26, 26]])
        #expect(runtime.version.hasPrefix("1.31"))
    }

    @Test func runsAndReturnsOutputsOfTheDeclaredShapes() throws {
        let session = try InferenceSession(
            modelPath: try modelPath("yolox-nano"), runtime: runtime, options: SessionOptions(intraOpThreads: 1))
        let input = Tensor(shape: [1, 3, 416, 416], data: [Float](repeating: 114, count: 3 * 416 * 416))
        let outputs = try session.run([input])
        #expect(outputs.count == 1)
        #expect(outputs[0].shape == [1, 3549, 85])
        let allFinite = outputs[0].data.allSatisfy { $0.isFinite }
        #expect(allFinite)
    }

    @Test func missingAndCorruptModelsFailWithTheRuntimesMessage() throws {
        #expect {
            _ = try InferenceSession(modelPath: "/nonexistent/model.onnx", runtime: runtime)
        } throws: { error in
            guard case InferenceError.runtime(let message) = error else { return false }
            return !message.isEmpty
        }
        let folder = try TestEnvironment.temporaryDirectory("corrupt-model")
        let corrupt = folder.appendingPathComponent("bad.onnx")
        try Data("this is not a protobuf".utf8).write(to: corrupt)
        #expect(throws: InferenceError.self) { _ = try InferenceSession(modelPath: corrupt.path, runtime: runtime) }
    }

    @Test func wrongInputShapesAreErrorsNotCrashes() throws {
        let session = try InferenceSession(modelPath: try modelPath("yolov3-tiny"), runtime: runtime)
        let wrongSize = Tensor(shape: [1, 3, 100, 100], data: [Float](repeating: 0, count: 3 * 100 * 100))
        #expect(throws: InferenceError.self) { _ = try session.run([wrongSize]) }
        let inconsistent = Tensor(shape: [1, 3, 416, 416], data: [0, 1, 2])
        #expect(throws: InferenceError.self) { _ = try session.run([inconsistent]) }
        #expect(throws: InferenceError.self) { _ = try session.run([]) }
    }

    @Test func aMissingLibraryIsAClearError() {
        #expect {
            _ = try ONNXRuntime.load(libraryPath: "/nonexistent/libonnxruntime.so.1")
        } throws: { error in
            String(describing: error).contains("ONNX Runtime library not found")
        }
    }
}
