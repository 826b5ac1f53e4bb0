/// The `data` of a JSON tensor, flattened (clients send flat or nested arrays, in
/// row-major order) and read as the datatype asks: numbers, booleans or strings.
enum TensorData: Sendable {
    case doubles([Double])
    case signed([Int64])
    case unsigned([UInt64])
    case bools([Bool])
    case strings([String])

    /// Nested arrays deeper than this are refused rather than recursed into.
    static let maxDepth = 32

    static func decode(from decoder: any Decoder, datatype: InferenceDatatype, input: String) throws -> TensorData {
        func values<T: Decodable>(_ type: T.Type, _ what: String) throws -> [T] {
            var out: [T] = []
            do {
                try collect(type, from: decoder, into: &out, depth: 0)
            } catch {
                throw InferenceRequest.invalid(
                    "input '\(input)': data must be an array (flat or nested) of \(what) for \(datatype.rawValue)")
            }
            return out
        }
        switch datatype {
        case .fp16, .fp32, .fp64: return .doubles(try values(Double.self, "numbers"))
        case .bf16: throw InferenceRequest.invalid("input '\(input)': BF16 tensors must be sent as binary data")
        case .int8, .int16, .int32, .int64: return .signed(try values(Int64.self, "whole numbers"))
        case .uint8, .uint16, .uint32, .uint64: return .unsigned(try values(UInt64.self, "whole numbers of 0 or more"))
        case .bool: return .bools(try values(Bool.self, "true or false"))
        case .bytes: return .strings(try values(String.self, "strings"))
        }
    }

    private static func collect<T: Decodable>(_ type: T.Type, from decoder: any Decoder, into out: inout [T], depth: Int) throws {
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd {
            // A failed decode leaves the container where it was: the element is then a nested array.
            if let value = try? container.decode(T.self) {
                out.append(value)
                continue
            }
            guard depth < maxDepth else { throw InferenceRequest.invalid("data is nested too deeply") }
            try collect(type, from: try container.superDecoder(), into: &out, depth: depth + 1)
        }
    }

    var count: Int {
        switch self {
        case .doubles(let values): values.count
        case .signed(let values): values.count
        case .unsigned(let values): values.count
        case .bools(let values): values.count
        case .strings(let values): values.count
        }
    }

    /// The values as a tensor of `datatype`, each checked against the type's range.
    func tensor(name: String, datatype: InferenceDatatype, shape: [Int], count: Int) throws(APIError) -> InferenceTensor {
        guard self.count == count else {
            throw InferenceRequest.invalid("input '\(name)': shape \(shape) has \(count) elements, data holds \(self.count)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * (datatype.byteSize ?? 0))
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        func fits<T: FixedWidthInteger>(_ type: T.Type, _ value: some BinaryInteger) throws(APIError) -> T {
            guard let fitted = T(exactly: value) else {
                throw InferenceRequest.invalid("input '\(name)': \(value) is out of range for \(datatype.rawValue)")
            }
            return fitted
        }
        switch (self, datatype) {
        case (.doubles(let values), .fp32): values.forEach { append(Float($0).bitPattern) }
        case (.doubles(let values), .fp64): values.forEach { append($0.bitPattern) }
        case (.doubles(let values), .fp16): values.forEach { append(Float16(Float($0)).bitPattern) }
        case (.signed(let values), .int8): for value in values { append(try fits(Int8.self, value)) }
        case (.signed(let values), .int16): for value in values { append(try fits(Int16.self, value)) }
        case (.signed(let values), .int32): for value in values { append(try fits(Int32.self, value)) }
        case (.signed(let values), .int64): values.forEach { append($0) }
        case (.unsigned(let values), .uint8): for value in values { append(try fits(UInt8.self, value)) }
        case (.unsigned(let values), .uint16): for value in values { append(try fits(UInt16.self, value)) }
        case (.unsigned(let values), .uint32): for value in values { append(try fits(UInt32.self, value)) }
        case (.unsigned(let values), .uint64): values.forEach { append($0) }
        case (.bools(let values), .bool): values.forEach { bytes.append($0 ? 1 : 0) }
        case (.strings(let values), .bytes):
            return InferenceTensor(name: name, shape: shape, strings: values.map { Array($0.utf8) })
        default: throw InferenceRequest.invalid("input '\(name)': data does not match \(datatype.rawValue)")
        }
        return InferenceTensor(name: name, datatype: datatype, shape: shape, bytes: bytes)
    }
}
