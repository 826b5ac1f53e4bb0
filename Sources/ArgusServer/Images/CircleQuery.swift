import ArgusVision

/// Circle options from query parameters (or form fields), validated.
enum CircleQuery {
    static let names: Set<String> = [
        "min_radius", "max_radius", "min_dist", "edge_threshold", "accumulator_threshold", "min_confidence", "max_circles",
    ]

    static func options(from parameters: [String: String]) throws(APIError) -> CircleOptions {
        var options = CircleOptions()
        options.minRadius = try integer(parameters, "min_radius") ?? options.minRadius
        options.maxRadius = try integer(parameters, "max_radius") ?? options.maxRadius
        options.minDistance = try number(parameters, "min_dist") ?? options.minDistance
        options.edgeThreshold = try number(parameters, "edge_threshold") ?? options.edgeThreshold
        options.accumulatorThreshold = try number(parameters, "accumulator_threshold") ?? options.accumulatorThreshold
        options.minConfidence = try number(parameters, "min_confidence").map(Float.init) ?? options.minConfidence
        options.maxCircles = try integer(parameters, "max_circles") ?? options.maxCircles
        if let problem = options.problem { throw .badRequest("invalid_parameter", problem) }
        return options
    }

    private static func integer(_ parameters: [String: String], _ name: String) throws(APIError) -> Int? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int(text), (0...100_000).contains(value) else {
            throw .badRequest("invalid_parameter", "\(name) must be a whole number, not '\(text)'")
        }
        return value
    }

    private static func number(_ parameters: [String: String], _ name: String) throws(APIError) -> Double? {
        guard let text = parameters[name] else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw .badRequest("invalid_parameter", "\(name) must be a number, not '\(text)'")
        }
        return value
    }
}
