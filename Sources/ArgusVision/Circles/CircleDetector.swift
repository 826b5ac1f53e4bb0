import ArgusCore

/// Finds circles in an image: in-process (`HoughCircleDetector`) or on a model server
/// speaking the Open Inference Protocol (`RemoteCircleDetector`).
public protocol CircleDetector: Sendable {
    /// A short name for logs, history and metrics (`hough`, `remote:<model>`).
    var name: String { get }
    func detect(_ image: Image, options: CircleOptions) async throws -> [DetectedCircle]
}

/// What to look for. Radii and distances are in pixels of the upright image.
public struct CircleOptions: Sendable, Equatable, Codable {
    public var minRadius = 5
    /// 0: up to half the shorter side.
    public var maxRadius = 0
    /// Smallest distance between two centres; 0: the minimum radius (at least 8 px).
    public var minDistance: Double = 0
    /// Upper threshold of the Canny edge detector.
    public var edgeThreshold: Double = 100
    /// Votes a centre needs; lower finds fainter circles and more false ones.
    public var accumulatorThreshold: Double = 30
    /// Circles whose perimeter lies on edges for less than this share are dropped.
    public var minConfidence: Float = 0.3
    public var maxCircles = 100

    public init() {}

    /// The problem with these options, or nil.
    public var problem: String? {
        if minRadius < 1 { return "min_radius must be at least 1" }
        if maxRadius != 0 && maxRadius < minRadius { return "max_radius must be 0 or at least min_radius" }
        if minDistance < 0 { return "min_dist must not be negative" }
        if edgeThreshold <= 0 || edgeThreshold > 1000 { return "edge_threshold must be in (0, 1000]" }
        if accumulatorThreshold <= 0 || accumulatorThreshold > 1000 { return "accumulator_threshold must be in (0, 1000]" }
        if !(0...1).contains(minConfidence) { return "min_confidence must be in [0, 1]" }
        if !(1...1000).contains(maxCircles) { return "max_circles must be 1 to 1000" }
        return nil
    }
}
