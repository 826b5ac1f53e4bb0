/// One detected object in source-image pixels.
public struct Detection: Sendable, Hashable {
    public var classId: Int
    public var label: String
    public var confidence: Float
    public var box: BoundingBox

    public init(classId: Int, label: String, confidence: Float, box: BoundingBox) {
        self.classId = classId
        self.label = label
        self.confidence = confidence
        self.box = box
    }
}

/// A scored box straight out of a decoder, before labels and suppression.
public struct Candidate: Sendable, Hashable {
    public var classId: Int
    public var score: Float
    public var box: BoundingBox

    public init(classId: Int, score: Float, box: BoundingBox) {
        self.classId = classId
        self.score = score
        self.box = box
    }
}

/// The knobs every detector honours.
public struct DetectionOptions: Sendable, Hashable {
    public static let defaultConfidence: Float = 0.25
    public static let defaultIoU: Float = 0.45
    public static let defaultMaxDetections = 300

    public var confidenceThreshold: Float
    public var iouThreshold: Float
    /// Class ids to keep; nil keeps all.
    public var classFilter: Set<Int>?
    public var maxDetections: Int
    /// Suppress overlapping boxes across classes instead of within each class.
    public var classAgnostic: Bool
    /// Whether a large image is detected in overlapping tiles (off by default).
    public var tiling: Tiling = .off
    /// The share of a tile its neighbours overlap, 0-0.9.
    public var tileOverlap: Float = Tiling.defaultOverlap

    public init(
        confidenceThreshold: Float = defaultConfidence, iouThreshold: Float = defaultIoU,
        classFilter: Set<Int>? = nil, maxDetections: Int = defaultMaxDetections, classAgnostic: Bool = false
    ) {
        self.confidenceThreshold = confidenceThreshold
        self.iouThreshold = iouThreshold
        self.classFilter = classFilter
        self.maxDetections = maxDetections
        self.classAgnostic = classAgnostic
    }
}
