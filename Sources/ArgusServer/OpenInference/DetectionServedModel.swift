import ArgusCore
import ArgusVision

/// `{detector}-detect`: a whole detection as one model, so that a client gets decoded
/// detections rather than raw head outputs. In: `image`, an encoded image (BYTES [1]:
/// JPEG, PNG, ...) or its pixels (UINT8 [height, width, 3], RGB). Out: `boxes` (FP32
/// [N, 4], x1 y1 x2 y2 in the image's pixels), `scores` (FP32 [N]), `classes` (INT64
/// [N], the label index) and `labels` (BYTES [N]). Parameters: those of
/// `POST /api/v1/detect` (`conf`, `iou`, `classes`, `max_det`, `agnostic`).
struct DetectionServedModel: ServedModel {
    static let suffix = "-detect"

    let detector: Detector
    let pool: InferencePool
    let limits: ImageLimits
    var name: String { detector.manifest.id + Self.suffix }
    var platform: String { "argus_detection" }

    var inputs: [TensorSpec] {
        [TensorSpec("image", .bytes, [1], or: [TensorForm(datatype: .uint8, shape: [-1, -1, 3])])]
    }
    var outputs: [TensorSpec] {
        [
            TensorSpec("boxes", .fp32, [-1, 4]), TensorSpec("scores", .fp32, [-1]), TensorSpec("classes", .int64, [-1]),
            TensorSpec("labels", .bytes, [-1]),
        ]
    }

    func infer(
        _ inputs: [InferenceTensor], parameters: [String: InferenceParameter], requested: [String]?,
        reservation: InferencePool.Reservation
    ) async throws -> [InferenceTensor] {
        let options = try options(parameters)
        let image = inputs[0]
        let detector = detector
        let limits = limits
        let detections = try await pool.run(reservation: reservation) {
            try detector.detect(try PixelTensor.image(from: image, limits: limits), options: options).detections
        }
        var boxes: [UInt8] = []
        var scores: [UInt8] = []
        var classes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        for detection in detections {
            let box = detection.box
            for value in [box.x1, box.y1, box.x2, box.y2] { append(value.bitPattern, to: &boxes) }
            append(detection.confidence.bitPattern, to: &scores)
            append(Int64(detection.classId), to: &classes)
        }
        let count = detections.count
        let produced = [
            InferenceTensor(name: "boxes", datatype: .fp32, shape: [count, 4], bytes: boxes),
            InferenceTensor(name: "scores", datatype: .fp32, shape: [count], bytes: scores),
            InferenceTensor(name: "classes", datatype: .int64, shape: [count], bytes: classes),
            InferenceTensor(name: "labels", shape: [count], strings: detections.map { Array($0.label.utf8) }),
        ]
        return select(produced, requested)
    }

    /// The detection options of the request's parameters, named and read as
    /// `POST /api/v1/detect`'s query (`conf`, `iou`, `classes`, `max_det`, `agnostic`).
    func options(_ parameters: [String: InferenceParameter]) throws(APIError) -> DetectionOptions {
        let read = try PixelTensor.parameters(parameters, allowed: DetectionQuery.names.subtracting(["model"]))
        return try DetectionQuery(parameters: read, defaultModel: detector.manifest.id)
            .resolvingClasses(labels: detector.manifest.labels)
    }
}
