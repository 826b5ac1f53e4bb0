import ArgusCore
import CImaging
import Dispatch
import Foundation

/// U²-Net (or U²-Net-p): the image stretched to 320×320 RGB, divided by its largest
/// value, normalised with ImageNet's mean and deviation; out, seven saliency maps of
/// which the first (the fused one) is used. Load once and share; `matte` may run concurrently.
public final class BackgroundRemover: Sendable {
    public static let mean: (Float, Float, Float) = (0.485, 0.456, 0.406)
    public static let standardDeviation: (Float, Float, Float) = (0.229, 0.224, 0.225)

    public let model: BackgroundModel
    public let session: InferenceSession

    public init(
        model: BackgroundModel, modelPath: String, runtime: ONNXRuntime, options: SessionOptions = SessionOptions()
    )
        throws
    {
        self.model = model
        session = try InferenceSession(modelPath: modelPath, runtime: runtime, options: options)
        guard session.inputs.count == 1, session.inputs[0].isFloat, !session.outputs.isEmpty else {
            throw DetectorError.unexpectedInput(model: model.rawValue, detail: "expected one float input and saliency maps out")
        }
    }

    /// The remover in `store`'s folder.
    /// - Throws: `ModelStoreError.notInstalled` when setup has not installed the model.
    public static func installed(
        _ model: BackgroundModel, in store: ModelStore, runtime: ONNXRuntime, options: SessionOptions
    ) throws -> BackgroundRemover {
        let path = store.directory + "/" + model.file
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelStoreError.notInstalled(model.rawValue, path: path)
        }
        return try BackgroundRemover(model: model, modelPath: path, runtime: runtime, options: options)
    }

    /// The model's raw saliency map (its first output) at model resolution.
    public func saliency(_ image: Image) throws -> Tensor {
        let side = model.inputSide
        var tensor = [Float](repeating: 0, count: 3 * side * side)
        // Pixels 0-255 first: the model was trained on the image divided by its own maximum.
        let spec = ci_tensor_spec(
            width: Int32(side), height: Int32(side), mode: Int32(CI_RESIZE_STRETCH.rawValue), pad_value: 0, rgb: 1,
            mean: (0, 0, 0), inv_std: (1, 1, 1), scale: 1)
        // Resampled first (no aliasing, as Pillow's Lanczos resize the model was used with).
        let input = image.width == side && image.height == side ? image : try image.resampled(width: side, height: side)
        _ = try tensor.withUnsafeMutableBufferPointer { try input.fill($0.baseAddress!, spec: spec) }
        let largest = max(tensor.max() ?? 1, 1)
        let plane = side * side
        let means = [Self.mean.0, Self.mean.1, Self.mean.2]
        let deviations = [Self.standardDeviation.0, Self.standardDeviation.1, Self.standardDeviation.2]
        tensor.withUnsafeMutableBufferPointer { values in
            for channel in 0..<3 {
                let mean = means[channel], inverse = 1 / deviations[channel]
                for index in channel * plane..<(channel + 1) * plane {
                    values[index] = (values[index] / largest - mean) * inverse
                }
            }
        }
        return try tensor.withUnsafeBufferPointer { buffer in
            try session.run([([1, 3, side, side], buffer)]) { outputs in
                let first = outputs[0]
                guard first.data.count >= plane else {
                    throw DetectorError.unexpectedInput(model: model.rawValue, detail: "saliency map of shape \(first.shape)")
                }
                return Tensor(shape: [side, side], data: Array(first.data.prefix(plane)))
            }
        }
    }

    public struct Output: Sendable {
        public var matte: Matte
        public var timings: DetectionTimings
    }

    /// The alpha matte of `image` at its own size: the model at 320×320, the map upscaled
    /// once, then refined as `options` say.
    public func matte(_ image: Image, options: MatteOptions = MatteOptions()) throws -> Output {
        let start = DispatchTime.now()
        let map = try saliency(image)
        let inferred = DispatchTime.now()
        let matte = try Self.matte(saliency: map, width: image.width, height: image.height, options: options)
        let end = DispatchTime.now()
        return Output(
            matte: matte,
            timings: DetectionTimings(
                preprocess: 0, inference: milliseconds(start, inferred), postprocess: milliseconds(inferred, end)))
    }

    /// The matte of a `width`×`height` image from its saliency map.
    public static func matte(saliency: Tensor, width: Int, height: Int, options: MatteOptions) throws -> Matte {
        var parameters = ci_matte_params(
            refine: options.refine ? 1 : 0, threshold: options.threshold,
            kernel: Int32(options.kernel(width: width, height: height)),
            min_component: options.minComponent, feather: options.feather(width: width, height: height))
        var alpha = [UInt8](repeating: 0, count: width * height)
        var message = ErrorMessage()
        let status = saliency.data.withUnsafeBufferPointer { map in
            alpha.withUnsafeMutableBufferPointer { out in
                message.call {
                    ci_matte(
                        map.baseAddress, Int32(saliency.shape[1]), Int32(saliency.shape[0]), Int32(width), Int32(height),
                        &parameters, out.baseAddress, $0, $1)
                }
            }
        }
        guard status == 0 else { throw ImageError.corrupt(message.text) }
        return Matte(width: width, height: height, alpha: alpha)
    }
}
