import ArgusCore
import CImaging
import Dispatch
import Foundation

/// EfficientNet-Lite0 (converted by scripts/effnet2onnx.py): the image scaled so that its
/// shorter side is 224 and its centre cropped to 224×224, RGB scaled to [-1, 1]; out, the
/// 1000 ImageNet logits and the 1280-d pooled features, L2-normalised. One pass gives an
/// image's embedding and its tags. Load once and share; `embed` may run concurrently.
public final class ImageEmbedder: Sendable {
    /// The files setup installs (scripts/setup-embedding-model.sh) and the model's sha256.
    public static let modelFile = "efficientnet-lite0.onnx"
    public static let labelsFile = "efficientnet-lite0.labels"
    public static let modelSHA256 = "68f08afa0fff1ac88a42c8c7d7c425ff3b29d700f5a5b21f911e24d98d98843a"
    public static let modelName = "efficientnet-lite0"
    public static let inputSide = 224
    public static let dimension = 1280

    public let session: InferenceSession
    /// The class names, first name only, in the model's class order.
    public let labels: [String]
    private let logitsIndex: Int
    private let embeddingIndex: Int

    public init(
        modelPath: String, labelsPath: String, runtime: ONNXRuntime, options: SessionOptions = SessionOptions()
    ) throws {
        session = try InferenceSession(modelPath: modelPath, runtime: runtime, options: options)
        guard session.inputs.count == 1, session.inputs[0].isFloat,
            let logits = session.outputs.firstIndex(where: { $0.name == "logits" }),
            let embedding = session.outputs.firstIndex(where: { $0.name == "embedding" })
        else {
            throw DetectorError.unexpectedInput(
                model: Self.modelName, detail: "expected one float input and the outputs logits and embedding")
        }
        logitsIndex = logits
        embeddingIndex = embedding
        let text = try String(contentsOfFile: labelsPath, encoding: .utf8)
        labels = text.split(separator: "\n").map { line in
            String(line.split(separator: ",", maxSplits: 1).first ?? line).trimmingCharacters(in: .whitespaces)
        }
        guard labels.count == 1000 else {
            throw DetectorError.unexpectedInput(
                model: Self.modelName, detail: "\(labels.count) labels in \(labelsPath), not 1000")
        }
    }

    /// The embedder in `store`'s folder.
    /// - Throws: `ModelStoreError.notInstalled` (run `make setup`) when a file is missing.
    public static func installed(in store: ModelStore, runtime: ONNXRuntime, options: SessionOptions) throws -> ImageEmbedder {
        let model = store.directory + "/" + modelFile, labels = store.directory + "/" + labelsFile
        for path in [model, labels] where !FileManager.default.fileExists(atPath: path) {
            throw ModelStoreError.notInstalled(modelName, path: path)
        }
        return try ImageEmbedder(modelPath: model, labelsPath: labels, runtime: runtime, options: options)
    }

    /// The model's input for `image`: shorter side to 224 without aliasing, centre crop.
    public static func tensor(_ image: Image) throws -> [Float] {
        let side = inputSide
        let scale = Double(side) / Double(min(image.width, image.height))
        let width = max(side, Int((Double(image.width) * scale).rounded()))
        let height = max(side, Int((Double(image.height) * scale).rounded()))
        let scaled = width == image.width && height == image.height ? image : try image.resampled(width: width, height: height)
        let square =
            width == side && height == side
            ? scaled : try scaled.cropped(x: (width - side) / 2, y: (height - side) / 2, width: side, height: side)
        var tensor = [Float](repeating: 0, count: 3 * side * side)
        let spec = ci_tensor_spec(
            width: Int32(side), height: Int32(side), mode: Int32(CI_RESIZE_STRETCH.rawValue), pad_value: 0, rgb: 1,
            mean: (0.5, 0.5, 0.5), inv_std: (2, 2, 2), scale: 1 / 255)
        _ = try tensor.withUnsafeMutableBufferPointer { try square.fill($0.baseAddress!, spec: spec) }
        return tensor
    }

    public func embed(_ image: Image, tags options: TagOptions = TagOptions()) throws -> ImageEmbedding {
        let start = DispatchTime.now()
        let tensor = try Self.tensor(image)
        let prepared = DispatchTime.now()
        var inferred = prepared
        let side = Self.inputSide
        let (vector, logits) = try tensor.withUnsafeBufferPointer { buffer in
            try session.run([([1, 3, side, side], buffer)]) { outputs in
                inferred = DispatchTime.now()
                let embedding = outputs[embeddingIndex], logits = outputs[logitsIndex]
                guard embedding.data.count == Self.dimension, logits.data.count == labels.count else {
                    throw DetectorError.unexpectedInput(
                        model: Self.modelName, detail: "outputs of shape \(embedding.shape) and \(logits.shape)")
                }
                return (Array(embedding.data), Array(logits.data))
            }
        }
        let tags = Self.tags(logits: logits, labels: labels, options: options)
        let end = DispatchTime.now()
        return ImageEmbedding(
            vector: vector, tags: tags,
            timings: DetectionTimings(
                preprocess: milliseconds(start, prepared), inference: milliseconds(prepared, inferred),
                postprocess: milliseconds(inferred, end)))
    }

    /// The best classes by softmax probability, at most `options.limit`, each at least
    /// `options.threshold`.
    static func tags(logits: [Float], labels: [String], options: TagOptions) -> [ImageTag] {
        let largest = logits.max() ?? 0
        let exponentials = logits.map { expf($0 - largest) }
        let total = exponentials.reduce(0, +)
        var best = TopK<Int>(capacity: options.limit)
        for (index, value) in exponentials.enumerated() { best.offer(index, score: value / total) }
        return best.sorted().filter { $0.score >= options.threshold }.map {
            ImageTag(label: labels[$0.id], classId: $0.id, score: $0.score)
        }
    }
}
