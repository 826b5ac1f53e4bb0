import ArgusCore
import CImaging
import Dispatch

/// Milliseconds spent in each stage of one detection.
public struct DetectionTimings: Sendable, Hashable {
    public var preprocess: Double
    public var inference: Double
    public var postprocess: Double

    public var total: Double { preprocess + inference + postprocess }
}

public struct DetectionOutput: Sendable {
    public var detections: [Detection]
    public var timings: DetectionTimings
}

/// A loaded detection model: preprocessing, one ONNX Runtime session, the family's
/// decoder and NMS. Load once and share; `detect` may run concurrently.
public final class Detector: Sendable {
    public let manifest: ModelManifest
    public let session: InferenceSession
    private let decoder: any OutputDecoder

    public init(
        manifest: ModelManifest, modelPath: String, runtime: ONNXRuntime, options: SessionOptions = SessionOptions()
    )
        throws
    {
        self.manifest = manifest
        session = try InferenceSession(modelPath: modelPath, runtime: runtime, options: options)
        decoder = try makeDecoder(for: manifest)
        try checkInput()
    }

    /// Detects objects in `image`, in tiles when `options.tiling` says so; boxes are in
    /// the image's pixels.
    public func detect(_ image: Image, options: DetectionOptions = DetectionOptions()) throws -> DetectionOutput {
        if options.tiling != .off { return try detectTiled(image, options: options) }
        return try detectWhole(image, options: options)
    }

    /// One view of the whole image at the model's input size.
    func detectWhole(_ image: Image, options: DetectionOptions) throws -> DetectionOutput {
        let start = DispatchTime.now()
        var tensor = [Float](repeating: 0, count: 3 * manifest.input.width * manifest.input.height)
        let transform = try tensor.withUnsafeMutableBufferPointer { try image.fill($0.baseAddress!, spec: tensorSpec) }
        let prepared = DispatchTime.now()

        var inferred = prepared
        let candidates = try tensor.withUnsafeBufferPointer { buffer in
            try session.run([(inputShape, buffer)]) { outputs in
                inferred = DispatchTime.now()
                return try decoder.candidates(
                    from: outputs, threshold: options.confidenceThreshold, classFilter: options.classFilter)
            }
        }
        let detections = finish(candidates, transform: transform, image: image, options: options)
        let end = DispatchTime.now()
        return DetectionOutput(
            detections: detections,
            timings: DetectionTimings(
                preprocess: milliseconds(start, prepared), inference: milliseconds(prepared, inferred),
                postprocess: milliseconds(inferred, end)))
    }

    /// The model input for `image`, for benchmarks that time the bare session run.
    public func inputTensor(for image: Image) throws -> Tensor {
        var tensor = [Float](repeating: 0, count: 3 * manifest.input.width * manifest.input.height)
        _ = try tensor.withUnsafeMutableBufferPointer { try image.fill($0.baseAddress!, spec: tensorSpec) }
        return Tensor(shape: inputShape, data: tensor)
    }

    private var inputShape: [Int] { [1, 3, manifest.input.height, manifest.input.width] }

    /// Maps to source pixels, clips, suppresses and labels.
    private func finish(
        _ candidates: [Candidate], transform: InputTransform, image: Image, options: DetectionOptions
    )
        -> [Detection]
    {
        let width = Float(image.width), height = Float(image.height)
        let mapped = candidates.map { candidate in
            var candidate = candidate
            candidate.box = candidate.box.unmapped(by: transform).clipped(width: width, height: height)
            return candidate
        }
        let kept = NonMaxSuppression.apply(
            mapped, iouThreshold: options.iouThreshold, maxDetections: options.maxDetections,
            classAgnostic: options.classAgnostic)
        return kept.map { candidate in
            let label =
                manifest.labels.indices.contains(candidate.classId)
                ? manifest.labels[candidate.classId] : "class \(candidate.classId)"
            return Detection(classId: candidate.classId, label: label, confidence: candidate.score, box: candidate.box)
        }
    }

    private var tensorSpec: ci_tensor_spec {
        let input = manifest.input
        let mode: ci_resize_mode =
            switch input.resize {
            case .stretch: CI_RESIZE_STRETCH
            case .letterbox: CI_RESIZE_LETTERBOX_TOP_LEFT
            case .letterboxCenter: CI_RESIZE_LETTERBOX_CENTER
            }
        let mean = input.mean.count == 3 ? input.mean : [0, 0, 0]
        let std = input.std.count == 3 ? input.std : [1, 1, 1]
        return ci_tensor_spec(
            width: Int32(input.width), height: Int32(input.height), mode: Int32(mode.rawValue),
            pad_value: Int32(input.padValue), rgb: input.color == .rgb ? 1 : 0,
            mean: (mean[0], mean[1], mean[2]), inv_std: (1 / std[0], 1 / std[1], 1 / std[2]), scale: input.scale)
    }

    private func checkInput() throws {
        guard session.inputs.count == 1, let input = session.inputs.first, input.isFloat, input.shape.count == 4 else {
            throw DetectorError.unexpectedInput(
                model: manifest.id, detail: "expected one float input [1, 3, H, W], got \(session.inputs.map(\.shape))")
        }
        let expected = inputShape
        for (declared, wanted) in zip(input.shape, expected) where declared > 0 && declared != wanted {
            throw DetectorError.unexpectedInput(
                model: manifest.id, detail: "the model takes \(input.shape), the manifest says \(expected)")
        }
    }
}

func milliseconds(_ start: DispatchTime, _ end: DispatchTime) -> Double {
    Double(end.uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
}
