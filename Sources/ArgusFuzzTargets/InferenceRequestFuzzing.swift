import ArgusVision
import NIOCore

@testable import ArgusServer

/// The compatibility APIs' own parsers: Open Inference Protocol request bodies (JSON, and
/// a JSON header followed by binary tensor data) and DeepStack's `min_confidence`.
enum InferenceRequestFuzzing {
    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        // The whole input as a JSON request, then with its first byte as the length of a
        // JSON header that binary data follows.
        try check(try? InferenceRequest.parse(ByteBuffer(bytes: bytes), headerLength: nil))
        if let first = bytes.first {
            let body = ByteBuffer(bytes: bytes.dropFirst())
            try check(try? InferenceRequest.parse(body, headerLength: String(first)))
        }
        if let confidence = try? DeepStackController.confidence(String(decoding: bytes.prefix(64), as: UTF8.self)) {
            guard confidence >= DeepStackController.confidenceFloor, confidence <= 1 else {
                throw FuzzFailure("min_confidence read as \(confidence), outside [0.001, 1]")
            }
        }
    }

    /// Every tensor a request was parsed into holds exactly what its shape says.
    static func check(_ request: InferenceRequest?) throws(FuzzFailure) {
        guard let request else { return }
        for tensor in request.inputs {
            guard let count = RawTensor.elementCount(tensor.shape) else {
                throw FuzzFailure("input \(tensor.name) was accepted with an invalid shape \(tensor.shape)")
            }
            if let size = tensor.datatype.byteSize {
                guard tensor.bytes.count == count * size else {
                    throw FuzzFailure("input \(tensor.name): \(tensor.bytes.count) bytes for \(count) elements")
                }
            } else if tensor.strings.count != count {
                throw FuzzFailure("input \(tensor.name): \(tensor.strings.count) strings for \(count) elements")
            }
        }
    }
}
