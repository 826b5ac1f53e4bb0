/// `limit` and `threshold` of the similarity routes.
struct SimilarityQuery {
    static let names: Set<String> = ["limit", "threshold"]
    static let limits = 1...100

    var limit = 10
    /// Cosine similarity, -1 to 1. EfficientNet's pooled features are never negative, so
    /// even unrelated photos score about 0.3-0.6; 0 keeps every image in the ranking.
    var threshold: Float = 0

    init(_ parameters: RequestParameters) throws(APIError) {
        limit = try parameters.integer("limit", default: limit, in: Self.limits)
        threshold = Float(try parameters.number("threshold", in: -1...1) ?? Double(threshold))
    }
}
