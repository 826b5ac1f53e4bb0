/// ByteTrack's parameters, with its published defaults.
public struct TrackerConfiguration: Sendable, Hashable, Codable {
    /// Detections at or above this score take part in the first association.
    public var highThreshold: Float = 0.25
    /// Detections above this score and under `highThreshold` take part in the second one
    /// (they keep an existing track alive through occlusion; they never start one).
    public var lowThreshold: Float = 0.1
    /// An unmatched detection at or above this score starts a track; nil is
    /// `highThreshold + 0.1` (capped at `highThreshold` when that passes 1), as ByteTrack.
    public var birthThreshold: Float?
    /// The highest cost (1 - IoU × score) at which a track and a high-score detection pair.
    public var matchThreshold: Float = 0.8
    /// How many frames (at 30 fps; scaled by `frameRate`) a lost track is kept for re-finding.
    public var lostBuffer: Int = 30
    /// The video's frame rate, which scales `lostBuffer`.
    public var frameRate: Double = 30
    /// Consecutive matched frames before a track is confirmed and gets its id; unconfirmed
    /// tracks are never reported or counted.
    public var minimumHits: Int = 1
    /// Pair tracks with detections of any class (false: only of their own class).
    public var classAgnostic: Bool = false

    public init() {}

    /// Every parameter at once, for the readers of options (CLI flags, API fields).
    public init(
        highThreshold: Float, lowThreshold: Float, birthThreshold: Float?, matchThreshold: Float, lostBuffer: Int,
        minimumHits: Int, classAgnostic: Bool, frameRate: Double
    ) {
        self.highThreshold = highThreshold
        self.lowThreshold = lowThreshold
        self.birthThreshold = birthThreshold
        self.matchThreshold = matchThreshold
        self.lostBuffer = lostBuffer
        self.minimumHits = minimumHits
        self.classAgnostic = classAgnostic
        self.frameRate = frameRate
    }

    /// The score at which an unmatched detection starts a track.
    public var effectiveBirthThreshold: Float {
        if let birthThreshold { return birthThreshold }
        let raised = highThreshold + 0.1
        return raised > 1 ? highThreshold : raised
    }

    /// Frames a lost track survives.
    public var maximumFramesLost: Int {
        Int(frameRate / 30 * Double(lostBuffer))
    }

    /// Why the configuration cannot be used, or nil.
    public var problem: String? {
        let unit: ClosedRange<Float> = 0...1
        if !unit.contains(highThreshold) { return "the high-score threshold must lie in [0, 1]" }
        if !unit.contains(lowThreshold) || lowThreshold > highThreshold {
            return "the low-score threshold must lie in [0, the high-score threshold]"
        }
        if let birthThreshold, !unit.contains(birthThreshold) { return "the birth threshold must lie in [0, 1]" }
        if !(0...1).contains(matchThreshold) { return "the match threshold must lie in [0, 1]" }
        if lostBuffer < 0 || lostBuffer > 100_000 { return "the lost buffer must lie in [0, 100000] frames" }
        if !frameRate.isFinite || frameRate <= 0 || frameRate > 1000 { return "the frame rate must lie in (0, 1000]" }
        if minimumHits < 1 || minimumHits > 1000 { return "the minimum hits must lie in [1, 1000]" }
        return nil
    }
}
