import ArgusVision

/// A tensor of an inference request or answer. Fixed-size datatypes keep their values as
/// raw little-endian bytes in row-major order (as the binary extension carries them);
/// BYTES keeps one byte string per element.
struct InferenceTensor: Sendable {
    var name: String
    var datatype: InferenceDatatype
    var shape: [Int]
    var bytes: [UInt8] = []
    var strings: [[UInt8]] = []

    init(name: String, datatype: InferenceDatatype, shape: [Int], bytes: [UInt8]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.bytes = bytes
    }

    init(name: String, shape: [Int], strings: [[UInt8]]) {
        self.name = name
        self.datatype = .bytes
        self.shape = shape
        self.strings = strings
    }

    init?(_ raw: RawTensor) {
        guard let datatype = InferenceDatatype(raw.type), datatype != .bytes else { return nil }
        self.init(name: raw.name, datatype: datatype, shape: raw.shape, bytes: raw.bytes)
    }

    var raw: RawTensor { RawTensor(name: name, type: datatype.elementType, shape: shape, bytes: bytes) }

    var elementCount: Int { RawTensor.elementCount(shape) ?? 0 }

    /// The tensor in binary form: the raw bytes, or each string behind its length.
    var binary: [UInt8] {
        guard datatype == .bytes else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(strings.reduce(0) { $0 + $1.count + 4 })
        for string in strings {
            withUnsafeBytes(of: UInt32(string.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: string)
        }
        return out
    }

    /// Reads the binary form of a tensor of `count` elements.
    /// - Throws: `400 invalid_tensor` when the bytes do not hold exactly that.
    static func fromBinary(
        name: String, datatype: InferenceDatatype, shape: [Int], count: Int, bytes: ArraySlice<UInt8>
    ) throws(APIError) -> InferenceTensor {
        if let size = datatype.byteSize {
            guard bytes.count == count * size else {
                throw .badRequest(
                    "invalid_tensor",
                    "input '\(name)': shape \(shape) of \(datatype.rawValue) needs \(count * size) bytes, binary_data_size is \(bytes.count)"
                )
            }
            return InferenceTensor(name: name, datatype: datatype, shape: shape, bytes: Array(bytes))
        }
        var strings: [[UInt8]] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes.endIndex - index >= 4 else {
                throw .badRequest("invalid_tensor", "input '\(name)': a BYTES element's 4-byte length is cut off")
            }
            let length =
                Int(bytes[index]) | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2]) << 16 | Int(bytes[index + 3]) << 24
            index += 4
            guard bytes.endIndex - index >= length else {
                throw .badRequest(
                    "invalid_tensor", "input '\(name)': a BYTES element of \(length) bytes runs past its binary data")
            }
            strings.append(Array(bytes[index..<(index + length)]))
            index += length
        }
        guard strings.count == count else {
            throw .badRequest(
                "invalid_tensor", "input '\(name)': shape \(shape) has \(count) elements, the binary data holds \(strings.count)")
        }
        return InferenceTensor(name: name, shape: shape, strings: strings)
    }
}
