/// A confirmed track's place in one frame.
public struct TrackedObject: Sendable, Hashable {
    /// Per tracker, from 1, in order of confirmation.
    public var trackId: Int
    public var classId: Int
    public var label: String
    /// The matched detection's score, or the last one when `predicted`.
    public var confidence: Float
    /// The matched detection's box, or the motion model's prediction when `predicted`.
    public var box: BoundingBox
    /// Index of the matched detection in the frame's input; nil when `predicted`.
    public var detectionIndex: Int?
    /// No detector ran on this frame (stride): the box is where the track is expected.
    public var predicted: Bool

    public init(
        trackId: Int, classId: Int, label: String, confidence: Float, box: BoundingBox, detectionIndex: Int?,
        predicted: Bool
    ) {
        self.trackId = trackId
        self.classId = classId
        self.label = label
        self.confidence = confidence
        self.box = box
        self.detectionIndex = detectionIndex
        self.predicted = predicted
    }
}
