import CImaging

/// An alpha matte at an image's size: 0 is background, 255 the object.
public struct Matte: Sendable {
    public let width: Int
    public let height: Int
    public var alpha: [UInt8]

    public init(width: Int, height: Int, alpha: [UInt8]) {
        precondition(alpha.count == width * height, "the matte's size does not match its dimensions")
        self.width = width
        self.height = height
        self.alpha = alpha
    }

    /// A rectangle in pixels.
    public struct Region: Sendable, Hashable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int

        public init(x: Int, y: Int, width: Int, height: Int) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }

    /// The smallest region holding every pixel that is not fully transparent; nil when
    /// the matte is empty.
    public var bounds: Region? {
        var x: Int32 = 0, y: Int32 = 0, boundsWidth: Int32 = 0, boundsHeight: Int32 = 0
        let status = alpha.withUnsafeBufferPointer {
            ci_alpha_bounds($0.baseAddress, Int32(width), Int32(height), &x, &y, &boundsWidth, &boundsHeight)
        }
        guard status == 0, boundsWidth > 0, boundsHeight > 0 else { return nil }
        return Region(x: Int(x), y: Int(y), width: Int(boundsWidth), height: Int(boundsHeight))
    }

    /// The share of pixels at least half opaque.
    public var foregroundShare: Double {
        guard !alpha.isEmpty else { return 0 }
        return Double(alpha.reduce(0) { $0 + ($1 >= 128 ? 1 : 0) }) / Double(alpha.count)
    }
}
