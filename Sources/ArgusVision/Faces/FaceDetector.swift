import ArgusCore
import CImaging
import Dispatch
import Foundation

/// How faces are looked for.
public struct FaceOptions: Sendable, Hashable {
    public static let defaultConfidence: Float = 0.5
    /// The longest side the model sees: larger images are scaled down to it. At 4096 a
    /// 10-pixel face of a 4000-pixel photo is still 10 pixels to the model, which finds
    /// faces from about that size (its output has one cell per 4 pixels).
    public static let defaultMaxSide = 4096

    public var confidenceThreshold: Float
    /// Faces overlapping a better one by more than this IoU are dropped.
    public var iouThreshold: Float = 0.3
    public var maxSide: Int
    public var maxFaces = 1000

    public init(confidenceThreshold: Float = defaultConfidence, maxSide: Int = defaultMaxSide) {
        self.confidenceThreshold = confidenceThreshold
        self.maxSide = maxSide
    }
}

public struct FaceOutput: Sendable {
    public var faces: [Face]
    public var timings: DetectionTimings
}

/// CenterFace: the image in RGB 0-255 at a size whose sides are multiples of 32; out, at a
/// quarter of that size, a heatmap of face centres, the box size (log, in units of 4
/// pixels), the centre's offset within its cell, and five landmarks relative to the box.
/// Load once and share; `detect` may run concurrently.
public final class FaceDetector: Sendable {
    /// The file setup installs (scripts/setup-face-model.sh) and its sha256.
    public static let modelFile = "centerface.onnx"
    public static let modelSHA256 = "187012d9076b2787ce3bf8af5255aee294c319850ebd7af03c8b66c5d534c174"

    public let session: InferenceSession

    public init(modelPath: String, runtime: ONNXRuntime, options: SessionOptions = SessionOptions()) throws {
        session = try InferenceSession(modelPath: modelPath, runtime: runtime, options: options)
        guard session.inputs.count == 1, session.inputs[0].isFloat, session.outputs.count == 4 else {
            throw DetectorError.unexpectedInput(
                model: "centerface", detail: "expected one float input and four outputs (heatmap, scale, offset, landmarks)")
        }
    }

    /// The detector in `store`'s folder.
    /// - Throws: `ModelStoreError.notInstalled` (run `make setup`) when the file is missing.
    public static func installed(in store: ModelStore, runtime: ONNXRuntime, options: SessionOptions) throws -> FaceDetector {
        let path = store.directory + "/" + modelFile
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelStoreError.notInstalled("centerface", path: path)
        }
        return try FaceDetector(modelPath: path, runtime: runtime, options: options)
    }

    /// Faces in `image`, boxes and landmarks in its pixels, best first.
    public func detect(_ image: Image, options: FaceOptions = FaceOptions()) throws -> FaceOutput {
        let start = DispatchTime.now()
        let shrink = min(1, Double(max(options.maxSide, 32)) / Double(max(image.width, image.height)))
        func multipleOf32(_ side: Int) -> Int { max(32, Int((Double(side) * shrink / 32).rounded(.up)) * 32) }
        let width = multipleOf32(image.width), height = multipleOf32(image.height)
        var tensor = [Float](repeating: 0, count: 3 * width * height)
        let spec = ci_tensor_spec(
            width: Int32(width), height: Int32(height), mode: Int32(CI_RESIZE_STRETCH.rawValue), pad_value: 0, rgb: 1,
            mean: (0, 0, 0), inv_std: (1, 1, 1), scale: 1)
        _ = try tensor.withUnsafeMutableBufferPointer { try image.fill($0.baseAddress!, spec: spec) }
        let prepared = DispatchTime.now()
        var inferred = prepared
        let candidates = try tensor.withUnsafeBufferPointer { buffer in
            try session.run([([1, 3, height, width], buffer)]) { outputs in
                inferred = DispatchTime.now()
                return try Self.decode(outputs, threshold: options.confidenceThreshold, width: width, height: height)
            }
        }
        let faces = Self.suppress(
            candidates, options: options, scaleX: Float(image.width) / Float(width), scaleY: Float(image.height) / Float(height))
        let end = DispatchTime.now()
        return FaceOutput(
            faces: faces,
            timings: DetectionTimings(
                preprocess: milliseconds(start, prepared), inference: milliseconds(prepared, inferred),
                postprocess: milliseconds(inferred, end)))
    }

    /// Every cell over the threshold as a face, in the model input's pixels.
    static func decode(_ outputs: [TensorView], threshold: Float, width: Int, height: Int) throws -> [Face] {
        let (heatmap, scale, offset, landmarks) = (outputs[0], outputs[1], outputs[2], outputs[3])
        guard heatmap.shape.count == 4, heatmap.shape[1] == 1 else {
            throw DetectorError.unexpectedInput(model: "centerface", detail: "heatmap of shape \(heatmap.shape)")
        }
        let rows = heatmap.shape[2], columns = heatmap.shape[3], plane = rows * columns
        guard scale.data.count >= 2 * plane, offset.data.count >= 2 * plane, landmarks.data.count >= 10 * plane else {
            throw DetectorError.unexpectedInput(model: "centerface", detail: "outputs smaller than the heatmap")
        }
        var faces: [Face] = []
        for cell in 0..<plane where heatmap.data[cell] > threshold {
            let row = Float(cell / columns), column = Float(cell % columns)
            let boxHeight = exp(scale.data[cell]) * 4, boxWidth = exp(scale.data[plane + cell]) * 4
            let x1 = max(0, (column + offset.data[plane + cell] + 0.5) * 4 - boxWidth / 2)
            let y1 = max(0, (row + offset.data[cell] + 0.5) * 4 - boxHeight / 2)
            let box = BoundingBox(
                x1: x1, y1: y1, x2: min(x1 + boxWidth, Float(width)), y2: min(y1 + boxHeight, Float(height)))
            let points = (0..<5).map { index in
                Point(
                    x: landmarks.data[(2 * index + 1) * plane + cell] * boxWidth + x1,
                    y: landmarks.data[2 * index * plane + cell] * boxHeight + y1)
            }
            faces.append(Face(box: box, confidence: heatmap.data[cell], landmarks: points))
        }
        return faces
    }

    /// Overlapping faces suppressed (the best kept), then mapped to the image's pixels.
    static func suppress(_ faces: [Face], options: FaceOptions, scaleX: Float, scaleY: Float) -> [Face] {
        // The shared NMS works on candidates: each carries its face's index as its class,
        // and runs class-agnostic.
        let candidates = faces.enumerated().map {
            Candidate(classId: $0.offset, score: $0.element.confidence, box: $0.element.box)
        }
        let kept = NonMaxSuppression.apply(
            candidates, iouThreshold: options.iouThreshold, maxDetections: options.maxFaces, classAgnostic: true)
        return kept.map { candidate in
            let face = faces[candidate.classId]
            let box = face.box
            return Face(
                box: BoundingBox(x1: box.x1 * scaleX, y1: box.y1 * scaleY, x2: box.x2 * scaleX, y2: box.y2 * scaleY),
                confidence: face.confidence,
                landmarks: face.landmarks.map { Point(x: $0.x * scaleX, y: $0.y * scaleY) })
        }
    }
}
