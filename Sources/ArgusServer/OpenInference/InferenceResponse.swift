import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPField.Name {
    static let inferenceHeaderContentLength = HTTPField.Name("Inference-Header-Content-Length")!
}

/// The answer to an inference request: a JSON header with each output's values inline,
/// or, for outputs wanted in binary form, their `binary_data_size` in the header and
/// their bytes after it (with `Inference-Header-Content-Length`).
struct InferenceResponse {
    let modelName: String
    let modelVersion: String
    let id: String?
    let outputs: [InferenceTensor]

    func response(binary wantsBinary: (String) -> Bool) throws(APIError) -> Response {
        var json = "{\"model_name\":\(JSONCoding.quoted(modelName)),\"model_version\":\(JSONCoding.quoted(modelVersion))"
        if let id { json += ",\"id\":\(JSONCoding.quoted(id))" }
        json += ",\"outputs\":["
        var binary: [UInt8] = []
        for (index, output) in outputs.enumerated() {
            if index > 0 { json += "," }
            json += "{\"name\":\(JSONCoding.quoted(output.name)),\"datatype\":\"\(output.datatype.rawValue)\",\"shape\":["
            json += output.shape.map(String.init).joined(separator: ",") + "]"
            if wantsBinary(output.name) {
                let data = output.binary
                json += ",\"parameters\":{\"binary_data_size\":\(data.count)}}"
                binary.append(contentsOf: data)
            } else {
                json += ",\"data\":"
                try Self.appendData(of: output, to: &json)
                json += "}"
            }
        }
        json += "]}"
        let header = Array(json.utf8)
        guard !binary.isEmpty || outputs.contains(where: { wantsBinary($0.name) }) else {
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: header)))
        }
        var body = ByteBuffer()
        body.reserveCapacity(header.count + binary.count)
        body.writeBytes(header)
        body.writeBytes(binary)
        return Response(
            status: .ok,
            headers: [.contentType: "application/octet-stream", .inferenceHeaderContentLength: String(header.count)],
            body: .init(byteBuffer: body))
    }

    /// The values as a flat JSON array. Floats print as the shortest decimal that reads
    /// back as the same value; JSON has no NaN or infinity, so those print as null (ask
    /// for binary output to get them exactly).
    static func appendData(of tensor: InferenceTensor, to json: inout String) throws(APIError) {
        if tensor.datatype == .bytes {
            var items: [String] = []
            for string in tensor.strings {
                guard let text = String(validating: string, as: UTF8.self) else {
                    throw APIError.badRequest(
                        "invalid_request", "output '\(tensor.name)' holds bytes that are not UTF-8: ask for it as binary data")
                }
                items.append(JSONCoding.quoted(text))
            }
            json += "[" + items.joined(separator: ",") + "]"
            return
        }
        func floating(_ value: Double) -> String { value.isFinite ? String(value) : "null" }
        func floating(_ value: Float) -> String { value.isFinite ? String(value) : "null" }
        let items: [String] = tensor.bytes.withUnsafeBytes { raw in
            func each<T>(_ type: T.Type, _ text: (T) -> String) -> [String] {
                stride(from: 0, to: raw.count, by: MemoryLayout<T>.size).map {
                    text(raw.loadUnaligned(fromByteOffset: $0, as: T.self))
                }
            }
            switch tensor.datatype {
            case .bool: return raw.map { $0 != 0 ? "true" : "false" }
            case .uint8: return raw.map { String($0) }
            case .int8: return each(Int8.self) { String($0) }
            case .uint16: return each(UInt16.self) { String(UInt16(littleEndian: $0)) }
            case .int16: return each(Int16.self) { String(Int16(littleEndian: $0)) }
            case .uint32: return each(UInt32.self) { String(UInt32(littleEndian: $0)) }
            case .int32: return each(Int32.self) { String(Int32(littleEndian: $0)) }
            case .uint64: return each(UInt64.self) { String(UInt64(littleEndian: $0)) }
            case .int64: return each(Int64.self) { String(Int64(littleEndian: $0)) }
            case .fp16: return each(UInt16.self) { floating(Float(Float16(bitPattern: UInt16(littleEndian: $0)))) }
            case .bf16: return each(UInt16.self) { floating(Float(bitPattern: UInt32(UInt16(littleEndian: $0)) << 16)) }
            case .fp32: return each(UInt32.self) { floating(Float(bitPattern: UInt32(littleEndian: $0))) }
            case .fp64: return each(UInt64.self) { floating(Double(bitPattern: UInt64(littleEndian: $0))) }
            case .bytes: return []
            }
        }
        json += "[" + items.joined(separator: ",") + "]"
    }
}
