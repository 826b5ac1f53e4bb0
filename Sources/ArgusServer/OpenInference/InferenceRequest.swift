import ArgusVision
import Foundation
import NIOCore

/// A parsed `POST /v2/models/{name}/infer` body: JSON alone, or a JSON header of
/// `Inference-Header-Content-Length` bytes followed by the inputs' binary data (the
/// binary tensor data extension). Every size is checked against the body before anything
/// is allocated, so a declared shape cannot make the server reserve memory it was not sent.
struct InferenceRequest: Sendable {
    struct RequestedOutput: Sendable {
        var name: String
        var binary: Bool?
    }

    var id: String?
    var parameters: [String: InferenceParameter]
    var inputs: [InferenceTensor]
    /// The outputs asked for by name; nil asks for all of them.
    var outputs: [RequestedOutput]?

    /// Whether `name` is wanted in binary form: the output's own `binary_data`, else the
    /// request's `binary_data_output` (which tritonclient sets when it names no outputs).
    func wantsBinary(_ name: String) -> Bool {
        if let asked = outputs?.first(where: { $0.name == name })?.binary { return asked }
        return parameters["binary_data_output"]?.bool ?? false
    }

    static func parse(_ body: ByteBuffer, headerLength: String?) throws(APIError) -> InferenceRequest {
        let bytes = body.readableBytesView
        var jsonEnd = bytes.endIndex
        if let headerLength {
            guard let length = Int(headerLength.trimmingCharacters(in: .whitespaces)), length > 0 else {
                throw invalid("Inference-Header-Content-Length must be a positive whole number, not '\(headerLength)'")
            }
            guard length <= bytes.count else {
                throw invalid("Inference-Header-Content-Length is \(length) but the body has only \(bytes.count) bytes")
            }
            jsonEnd = bytes.startIndex + length
        }
        guard jsonEnd > bytes.startIndex else { throw invalid("the request body is empty: send an inference request") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[bytes.startIndex..<jsonEnd]))
        } catch let error as APIError {
            throw error
        } catch {
            throw invalid("the inference request is not valid JSON of the protocol: \(APIError(error).message)")
        }
        guard !header.inputs.isEmpty else { throw invalid("the request has no inputs") }

        var binaryIndex = jsonEnd
        var inputs: [InferenceTensor] = []
        for input in header.inputs {
            guard let datatype = InferenceDatatype(rawValue: input.datatype) else {
                throw invalid(
                    "input '\(input.name)': unknown datatype '\(input.datatype)' (use one of \(InferenceDatatype.names))")
            }
            guard let count = RawTensor.elementCount(input.shape) else {
                throw invalid(
                    "input '\(input.name)': shape \(input.shape) is invalid (dimensions must be 0 or more, and the product must fit)"
                )
            }
            guard !inputs.contains(where: { $0.name == input.name }) else {
                throw invalid("input '\(input.name)' is given twice")
            }
            if let size = input.parameters?["binary_data_size"] {
                guard input.data == nil else {
                    throw invalid("input '\(input.name)' has both data and binary_data_size: send one")
                }
                guard case .int(let declared) = size, declared >= 0 else {
                    throw invalid("input '\(input.name)': binary_data_size must be a whole number of bytes")
                }
                guard declared <= bytes.endIndex - binaryIndex else {
                    throw invalid(
                        "input '\(input.name)': binary_data_size is \(declared) but only \(bytes.endIndex - binaryIndex) bytes of binary data are left in the body"
                    )
                }
                let end = binaryIndex + Int(declared)
                inputs.append(
                    try InferenceTensor.fromBinary(
                        name: input.name, datatype: datatype, shape: input.shape, count: count,
                        bytes: ArraySlice(bytes[binaryIndex..<end])))
                binaryIndex = end
            } else {
                guard let data = input.data else {
                    throw invalid("input '\(input.name)' has neither data nor binary_data_size")
                }
                inputs.append(try data.tensor(name: input.name, datatype: datatype, shape: input.shape, count: count))
            }
        }
        guard binaryIndex == bytes.endIndex else {
            throw invalid(
                headerLength == nil
                    ? "the body holds bytes after its JSON: send binary data with Inference-Header-Content-Length"
                    : "the body has \(bytes.endIndex - binaryIndex) bytes beyond the inputs' binary_data_size")
        }
        return InferenceRequest(
            id: header.id, parameters: header.parameters ?? [:], inputs: inputs,
            outputs: header.outputs?.map { RequestedOutput(name: $0.name, binary: $0.parameters?["binary_data"]?.bool) })
    }

    static func invalid(_ message: String) -> APIError { APIError.badRequest("invalid_request", message) }

    private struct Header: Decodable {
        var id: String?
        var parameters: [String: InferenceParameter]?
        var inputs: [Input]
        var outputs: [Output]?
    }

    private struct Output: Decodable {
        var name: String
        var parameters: [String: InferenceParameter]?
    }

    private struct Input: Decodable {
        var name: String
        var shape: [Int]
        var datatype: String
        var parameters: [String: InferenceParameter]?
        var data: TensorData?

        enum CodingKeys: String, CodingKey { case name, shape, datatype, parameters, data }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            shape = try container.decode([Int].self, forKey: .shape)
            datatype = try container.decode(String.self, forKey: .datatype)
            parameters = try container.decodeIfPresent([String: InferenceParameter].self, forKey: .parameters)
            guard container.contains(.data), let type = InferenceDatatype(rawValue: datatype) else { return }
            data = try TensorData.decode(from: try container.superDecoder(forKey: .data), datatype: type, input: name)
        }
    }
}
