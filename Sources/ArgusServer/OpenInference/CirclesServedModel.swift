import ArgusVision

/// `circles`: the in-process Hough transform under the contract of the KServe model in
/// `deploy/kserve` (so that one Argus can be another's remote circle detector). In:
/// `image`, UINT8 [height, width, 3], RGB. Out: `circles`, FP32 [N, 4] (centre x, centre
/// y, radius, confidence). Parameters as `POST /api/v1/circles` takes them.
struct CirclesServedModel: ServedModel {
    static let modelName = "circles"

    let pool: InferencePool
    let limits: ImageLimits
    var name: String { Self.modelName }
    var platform: String { "argus_circles" }
    var inputs: [TensorSpec] { [TensorSpec("image", .uint8, [-1, -1, 3])] }
    var outputs: [TensorSpec] { [TensorSpec("circles", .fp32, [-1, 4])] }

    func infer(
        _ inputs: [InferenceTensor], parameters: [String: InferenceParameter], requested: [String]?,
        reservation: InferencePool.Reservation
    ) async throws -> [InferenceTensor] {
        var chosen = try CircleQuery.options(from: try PixelTensor.parameters(parameters, allowed: CircleQuery.names))
        // A model server answers every circle it finds unless asked otherwise: its client filters.
        if parameters["min_confidence"] == nil { chosen.minConfidence = 0 }
        let options = chosen
        let image = inputs[0]
        let limits = limits
        let found = try await pool.run(reservation: reservation) {
            try HoughCircleDetector().detectNow(try PixelTensor.image(from: image, limits: limits), options: options)
        }
        var bytes: [UInt8] = []
        for circle in found {
            for value in [circle.centerX, circle.centerY, circle.radius, circle.confidence] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        return [InferenceTensor(name: "circles", datatype: .fp32, shape: [found.count, 4], bytes: bytes)]
    }
}
