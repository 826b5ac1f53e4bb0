import ArgusVision

/// An installed model's ONNX session as it is: raw tensors in, raw tensors out, as
/// Triton and KServe serve ONNX models.
struct ONNXServedModel: ServedModel {
    let name: String
    let session: InferenceSession
    let pool: InferencePool
    var platform: String { "onnxruntime_onnx" }

    var inputs: [TensorSpec] { session.inputs.compactMap(Self.spec) }
    var outputs: [TensorSpec] { session.outputs.compactMap(Self.spec) }

    static func spec(_ info: TensorInfo) -> TensorSpec? {
        guard let type = info.type, let datatype = InferenceDatatype(type) else { return nil }
        return TensorSpec(info.name, datatype, info.shape.map { $0 < 0 ? -1 : $0 })
    }

    func infer(
        _ inputs: [InferenceTensor], parameters: [String: InferenceParameter], requested: [String]?,
        reservation: InferencePool.Reservation
    ) async throws -> [InferenceTensor] {
        guard !inputs.contains(where: { $0.datatype == .bytes }) else {
            throw InferenceRequest.invalid("model '\(name)' takes no BYTES inputs")
        }
        let feeds = inputs.map(\.raw)
        let session = session
        let produced = try await pool.run(reservation: reservation) {
            do {
                return try session.runRaw(feeds, requested: requested)
            } catch InferenceError.runtime(let message) {
                // The tensors passed every check the metadata allows: what ONNX Runtime
                // still refuses (a symbolic dimension bound twice, say) is the request's fault.
                throw InferenceRequest.invalid("ONNX Runtime refused the inputs: \(message)")
            }
        }
        return produced.compactMap(InferenceTensor.init)
    }
}
