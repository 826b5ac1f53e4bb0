import ArgusVision

/// Circle options from query parameters (or form fields), validated.
enum CircleQuery {
    static let names: Set<String> = [
        "min_radius", "max_radius", "min_dist", "edge_threshold", "accumulator_threshold", "min_confidence", "max_circles",
    ]

    /// The largest radius, distance or count a request may give.
    static let maxWholeNumber = 100_000

    static func options(from parameters: RequestParameters) throws(APIError) -> CircleOptions {
        var options = CircleOptions()
        let whole = 0...maxWholeNumber
        options.minRadius = try parameters.integer("min_radius", default: options.minRadius, in: whole)
        options.maxRadius = try parameters.integer("max_radius", default: options.maxRadius, in: whole)
        options.minDistance = try parameters.number("min_dist") ?? options.minDistance
        options.edgeThreshold = try parameters.number("edge_threshold") ?? options.edgeThreshold
        options.accumulatorThreshold = try parameters.number("accumulator_threshold") ?? options.accumulatorThreshold
        options.minConfidence = try parameters.number("min_confidence").map(Float.init) ?? options.minConfidence
        options.maxCircles = try parameters.integer("max_circles", default: options.maxCircles, in: whole)
        if let problem = options.problem { throw .badRequest("invalid_parameter", problem) }
        return options
    }
}
