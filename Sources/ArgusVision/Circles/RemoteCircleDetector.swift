import ArgusCore
import Foundation

/// Circles from a model server speaking the Open Inference Protocol v2. The image goes
/// as an `image` UINT8 tensor of shape [height, width, 3] (RGB) with the options as
/// request parameters; the model answers a `circles` FP32 tensor of shape [N, 4]
/// (centre x, centre y, radius, confidence). `deploy/kserve/` holds such a model.
public struct RemoteCircleDetector: CircleDetector {
    public let client: OpenInferenceClient
    public let model: String
    public var name: String { "remote:" + model }

    public init(client: OpenInferenceClient, model: String) {
        self.client = client
        self.model = model
    }

    public func detect(_ image: Image, options: CircleOptions) async throws -> [DetectedCircle] {
        let bgr = image.bgrPixels
        var rgb = [UInt8](repeating: 0, count: bgr.count)
        for index in stride(from: 0, to: bgr.count, by: 3) {
            rgb[index] = bgr[index + 2]
            rgb[index + 1] = bgr[index + 1]
            rgb[index + 2] = bgr[index]
        }
        let parameters: [String: Any] = [
            "min_radius": options.minRadius, "max_radius": options.maxRadius, "min_dist": options.minDistance,
            "edge_threshold": options.edgeThreshold, "accumulator_threshold": options.accumulatorThreshold,
        ]
        let outputs = try await client.infer(
            model: model, inputName: "image", shape: [image.height, image.width, 3], bytes: rgb, parameters: parameters)
        guard let tensor = outputs.first(where: { $0.name == "circles" }) ?? outputs.first else {
            throw RemoteInferenceError.badResponse("no output tensor")
        }
        // Rows beyond the values would index out of range.
        guard tensor.shape.count == 2, tensor.shape[1] >= 3, tensor.shape[0] >= 0,
            tensor.shape[0] <= tensor.values.count / tensor.shape[1]
        else {
            throw RemoteInferenceError.badResponse("expected circles of shape [N, 4], got \(tensor.shape)")
        }
        let columns = tensor.shape[1]
        var circles: [DetectedCircle] = []
        for row in 0..<tensor.shape[0] {
            let base = row * columns
            let confidence: Float = columns > 3 ? Float(tensor.values[base + 3]) : 1
            circles.append(
                DetectedCircle(
                    centerX: Float(tensor.values[base]), centerY: Float(tensor.values[base + 1]),
                    radius: Float(tensor.values[base + 2]), confidence: confidence))
        }
        // NaN, infinity (or a Double past Float's range) cannot be stored, encoded as JSON or drawn.
        return
            circles
            .filter { [$0.centerX, $0.centerY, $0.radius, $0.confidence].allSatisfy(\.isFinite) }
            .filter { $0.confidence >= options.minConfidence && $0.radius > 0 }
            .sorted { $0.confidence > $1.confidence }
            .prefix(options.maxCircles).map { $0 }
    }
}
