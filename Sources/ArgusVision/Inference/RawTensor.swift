/// A tensor of any fixed-size element type as raw little-endian bytes in row-major
/// order: what a model server receives and answers without interpreting the values.
public struct RawTensor: Sendable, Hashable {
    public var name: String
    public var type: TensorElementType
    public var shape: [Int]
    public var bytes: [UInt8]

    public init(name: String, type: TensorElementType, shape: [Int], bytes: [UInt8]) {
        self.name = name
        self.type = type
        self.shape = shape
        self.bytes = bytes
    }

    /// The element count of `shape`, or nil when a dimension is negative or the product
    /// overflows (a declared shape is untrusted input).
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}
