import ArgusCore

/// What one forward pass of the classifier gives an image.
public struct ImageEmbedding: Sendable {
    /// L2-normalised: the dot product of two is their cosine similarity.
    public var vector: [Float]
    public var tags: [ImageTag]
    public var timings: DetectionTimings
}
