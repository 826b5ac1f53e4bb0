import ArgusVision

/// The options of the face routes, from the query string, validated.
struct FaceQuery {
    var options: FaceOptions
    var method = RedactionMethod.blur
    /// A share of each face's width and height added on every side before redacting.
    var margin: Float = 0.2

    static let detectionNames: Set<String> = ["conf", "max_side"]
    static let redactionNames = detectionNames.union(["method", "margin"])

    init(parameters: RequestParameters) throws(APIError) {
        options = FaceOptions()
        options.confidenceThreshold =
            try parameters.number("conf", in: 0...1).map(Float.init) ?? options.confidenceThreshold
        options.maxSide = try parameters.integer("max_side", default: options.maxSide, in: 32...16_384)
        method = try parameters.choice("method", default: method)
        margin = try parameters.number("margin", in: 0...1).map(Float.init) ?? margin
    }
}
