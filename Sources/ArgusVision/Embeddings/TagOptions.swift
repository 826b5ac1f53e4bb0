/// Which classes of the classifier become an image's tags.
public struct TagOptions: Sendable, Hashable {
    public static let defaultLimit = 5
    /// ImageNet's 1000 classes are fine-grained (a dozen kinds of cat), so a good label
    /// often has a modest probability; under 0.1 it is mostly noise.
    public static let defaultThreshold: Float = 0.1

    /// At most this many tags, best first.
    public var limit: Int
    /// Tags with a lower probability are left out.
    public var threshold: Float

    public init(limit: Int = defaultLimit, threshold: Float = defaultThreshold) {
        self.limit = limit
        self.threshold = threshold
    }
}
