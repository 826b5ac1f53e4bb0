/// An axis-aligned box in pixel coordinates: (x1, y1) top-left, (x2, y2) bottom-right.
public struct BoundingBox: Sendable, Hashable, Codable {
    public var x1: Float
    public var y1: Float
    public var x2: Float
    public var y2: Float

    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// A box from its centre and size, as most detector heads emit it.
    public init(centerX: Float, centerY: Float, width: Float, height: Float) {
        self.init(x1: centerX - width / 2, y1: centerY - height / 2, x2: centerX + width / 2, y2: centerY + height / 2)
    }

    public var width: Float { max(0, x2 - x1) }
    public var height: Float { max(0, y2 - y1) }
    public var area: Float { width * height }
    public var center: (x: Float, y: Float) { ((x1 + x2) / 2, (y1 + y2) / 2) }

    /// Intersection over union in continuous coordinates (no +1 pixel convention).
    public func iou(_ other: BoundingBox) -> Float {
        let ix = min(x2, other.x2) - max(x1, other.x1)
        let iy = min(y2, other.y2) - max(y1, other.y1)
        guard ix > 0, iy > 0 else { return 0 }
        let intersection = ix * iy
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }

    /// Intersection over the smaller box's area: 1 when one box lies inside the other, as
    /// a part of an object cut by a tile's edge lies inside the whole object's box.
    public func intersectionOverSmaller(_ other: BoundingBox) -> Float {
        let ix = min(x2, other.x2) - max(x1, other.x1)
        let iy = min(y2, other.y2) - max(y1, other.y1)
        guard ix > 0, iy > 0 else { return 0 }
        let smaller = min(area, other.area)
        return smaller > 0 ? ix * iy / smaller : 0
    }

    /// The box limited to [0, width] × [0, height].
    public func clipped(width: Float, height: Float) -> BoundingBox {
        BoundingBox(
            x1: min(max(x1, 0), width), y1: min(max(y1, 0), height),
            x2: min(max(x2, 0), width), y2: min(max(y2, 0), height))
    }

    /// The box mapped from model-input space back to the source image.
    public func unmapped(by transform: InputTransform) -> BoundingBox {
        BoundingBox(
            x1: (x1 - transform.padX) / transform.scaleX, y1: (y1 - transform.padY) / transform.scaleY,
            x2: (x2 - transform.padX) / transform.scaleX, y2: (y2 - transform.padY) / transform.scaleY)
    }
}

/// How source pixels were placed into a model input: input = source × scale + pad.
public struct InputTransform: Sendable, Hashable {
    public var scaleX: Float
    public var scaleY: Float
    public var padX: Float
    public var padY: Float

    public init(scaleX: Float, scaleY: Float, padX: Float = 0, padY: Float = 0) {
        self.scaleX = scaleX
        self.scaleY = scaleY
        self.padX = padX
        self.padY = padY
    }

    public static let identity = InputTransform(scaleX: 1, scaleY: 1)
}
