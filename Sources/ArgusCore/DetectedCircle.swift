/// A circle found in an image, in source pixels. `confidence` is in 0...1.
public struct DetectedCircle: Sendable, Equatable, Codable {
    public var centerX: Float
    public var centerY: Float
    public var radius: Float
    public var confidence: Float

    public init(centerX: Float, centerY: Float, radius: Float, confidence: Float) {
        self.centerX = centerX
        self.centerY = centerY
        self.radius = radius
        self.confidence = confidence
    }

    /// The square that encloses the circle.
    public var box: BoundingBox {
        BoundingBox(x1: centerX - radius, y1: centerY - radius, x2: centerX + radius, y2: centerY + radius)
    }
}
