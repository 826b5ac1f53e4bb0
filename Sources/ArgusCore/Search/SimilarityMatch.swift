/// One result of a similarity query: an item and its cosine similarity to the query.
public struct SimilarityMatch<ID: Hashable & Sendable>: Sendable, Hashable {
    public var id: ID
    /// The dot product of two L2-normalised vectors: 1 for the same direction.
    public var score: Float

    public init(id: ID, score: Float) {
        self.id = id
        self.score = score
    }
}
