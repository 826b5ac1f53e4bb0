/// A point in an image's pixels.
public struct Point: Sendable, Hashable, Codable {
    public var x: Float
    public var y: Float

    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }
}

/// A face found in an image: its box, the detector's confidence, and five landmarks
/// (the eyes, the nose tip and the corners of the mouth, in the image's left-to-right
/// order as the model gives them).
public struct Face: Sendable, Hashable {
    public var box: BoundingBox
    public var confidence: Float
    public var landmarks: [Point]

    public init(box: BoundingBox, confidence: Float, landmarks: [Point]) {
        self.box = box
        self.confidence = confidence
        self.landmarks = landmarks
    }
}
