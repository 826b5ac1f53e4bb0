import ArgusVision

/// One form a tensor may take: its datatype and shape (-1 for a dimension of any size).
struct TensorForm: Sendable {
    var datatype: InferenceDatatype
    var shape: [Int]

    func admits(_ tensor: InferenceTensor) -> Bool {
        tensor.datatype == datatype && tensor.shape.count == shape.count
            && zip(tensor.shape, shape).allSatisfy { $1 < 0 || $0 == $1 }
    }

    var text: String { "\(datatype.rawValue) \(shape)" }
}

/// A named input or output of a served model; metadata shows its first form.
struct TensorSpec: Sendable {
    var name: String
    var forms: [TensorForm]

    init(_ name: String, _ datatype: InferenceDatatype, _ shape: [Int], or others: [TensorForm] = []) {
        self.name = name
        self.forms = [TensorForm(datatype: datatype, shape: shape)] + others
    }
}

/// A model behind `/v2/models/{name}`: raw ONNX sessions, detection pipelines, circles.
protocol ServedModel: Sendable {
    var name: String { get }
    /// The `platform` of the metadata (Triton's names for ONNX models).
    var platform: String { get }
    var inputs: [TensorSpec] { get }
    var outputs: [TensorSpec] { get }
    /// The pool the model's work runs in, where a request reserves its place before its
    /// body is read.
    var pool: InferencePool { get }

    /// Runs the model on inputs already matched to `inputs` (in that order) and answers
    /// the outputs named in `requested` (all when nil), in that order.
    func infer(
        _ inputs: [InferenceTensor], parameters: [String: InferenceParameter], requested: [String]?,
        reservation: InferencePool.Reservation
    ) async throws -> [InferenceTensor]
}

extension ServedModel {
    /// The request's inputs in the order of `inputs`, each checked for its datatype and
    /// shape; a missing, unknown or repeated input is refused, naming what the model takes.
    func match(_ given: [InferenceTensor]) throws(APIError) -> [InferenceTensor] {
        let names = inputs.map(\.name)
        if let unknown = given.first(where: { !names.contains($0.name) }) {
            throw InferenceRequest.invalid(
                "model '\(name)' has no input '\(unknown.name)' (its inputs: \(names.joined(separator: ", ")))")
        }
        return try inputs.map { spec throws(APIError) in
            guard let tensor = given.first(where: { $0.name == spec.name }) else {
                throw InferenceRequest.invalid("model '\(name)' needs the input '\(spec.name)'")
            }
            guard spec.forms.contains(where: { $0.admits(tensor) }) else {
                throw InferenceRequest.invalid(
                    "input '\(spec.name)' must be \(spec.forms.map(\.text).joined(separator: " or ")), got \(tensor.datatype.rawValue) \(tensor.shape)"
                )
            }
            return tensor
        }
    }

    /// The names of the requested outputs, each checked.
    func checkOutputs(_ requested: [String]?) throws(APIError) {
        let names = outputs.map(\.name)
        if let unknown = requested?.first(where: { !names.contains($0) }) {
            throw InferenceRequest.invalid(
                "model '\(name)' has no output '\(unknown)' (its outputs: \(names.joined(separator: ", ")))")
        }
    }

    /// `outputs` narrowed to `requested`, in its order.
    func select(_ produced: [InferenceTensor], _ requested: [String]?) -> [InferenceTensor] {
        guard let requested else { return produced }
        return requested.compactMap { name in produced.first { $0.name == name } }
    }
}
