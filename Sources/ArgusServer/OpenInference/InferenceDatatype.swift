import ArgusVision

/// The Open Inference Protocol's tensor datatypes, and the ONNX element type of each.
enum InferenceDatatype: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case uint8 = "UINT8"
    case uint16 = "UINT16"
    case uint32 = "UINT32"
    case uint64 = "UINT64"
    case int8 = "INT8"
    case int16 = "INT16"
    case int32 = "INT32"
    case int64 = "INT64"
    case fp16 = "FP16"
    case fp32 = "FP32"
    case fp64 = "FP64"
    case bf16 = "BF16"
    /// Variable-length byte strings; in binary form each is a 4-byte little-endian length
    /// and its bytes.
    case bytes = "BYTES"

    init?(_ type: TensorElementType) {
        switch type {
        case .bool: self = .bool
        case .uint8: self = .uint8
        case .uint16: self = .uint16
        case .uint32: self = .uint32
        case .uint64: self = .uint64
        case .int8: self = .int8
        case .int16: self = .int16
        case .int32: self = .int32
        case .int64: self = .int64
        case .float16: self = .fp16
        case .float: self = .fp32
        case .double: self = .fp64
        case .bfloat16: self = .bf16
        case .string: self = .bytes
        }
    }

    var elementType: TensorElementType {
        switch self {
        case .bool: .bool
        case .uint8: .uint8
        case .uint16: .uint16
        case .uint32: .uint32
        case .uint64: .uint64
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .fp16: .float16
        case .fp32: .float
        case .fp64: .double
        case .bf16: .bfloat16
        case .bytes: .string
        }
    }

    /// Bytes per element in binary form; nil for BYTES.
    var byteSize: Int? { elementType.byteSize }

    var isFloatingPoint: Bool { [.fp16, .fp32, .fp64, .bf16].contains(self) }

    static let names = allCases.map(\.rawValue).joined(separator: ", ")
}
