import ArgusCore
import ArgusVision
import Foundation

/// The detector options a request may set in its query string, validated.
struct DetectionQuery {
    var model: String
    var options: DetectionOptions
    /// Class names or ids as given; resolved against the model's labels once it is known.
    var classes: [String]?

    static let names: Set<String> = ["model", "conf", "iou", "classes", "max_det", "agnostic"]

    /// `alsoAllowed` names parameters another part of the route reads.
    init(parameters: [String: String], defaultModel: String, alsoAllowed: Set<String> = []) throws(APIError) {
        let known = Self.names.union(alsoAllowed)
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw .badRequest("invalid_parameter", "unknown query parameter '\(unknown)'")
        }
        model = parameters["model"] ?? defaultModel
        guard ModelManifest.isValidId(model) else { throw .badRequest("invalid_parameter", "invalid model id '\(model)'") }
        options = DetectionOptions()
        options.confidenceThreshold = try Self.fraction(parameters["conf"], name: "conf") ?? options.confidenceThreshold
        options.iouThreshold = try Self.fraction(parameters["iou"], name: "iou") ?? options.iouThreshold
        if let text = parameters["max_det"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw .badRequest("invalid_parameter", "max_det must be an integer from 1 to 1000, not '\(text)'")
            }
            options.maxDetections = value
        }
        if let text = parameters["agnostic"] {
            guard let value = Bool(text.lowercased()) else {
                throw .badRequest("invalid_parameter", "agnostic must be true or false, not '\(text)'")
            }
            options.classAgnostic = value
        }
        if let text = parameters["classes"] {
            let names = ClassSelection.split(text)
            guard !names.isEmpty else { throw .badRequest("invalid_parameter", "classes must list at least one class") }
            classes = names
        }
    }

    /// Resolves `classes` (names or indices) against a model's labels.
    func resolvingClasses(labels: [String]) throws(APIError) -> DetectionOptions {
        var options = options
        guard let classes else { return options }
        do {
            options.classFilter = try ClassSelection.resolve(classes, labels: labels)
        } catch {
            throw .badRequest("invalid_parameter", "unknown class '\(error.name)' for model \(model)")
        }
        return options
    }

    private static func fraction(_ text: String?, name: String) throws(APIError) -> Float? {
        guard let text else { return nil }
        guard let value = Float(text), value.isFinite, (0...1).contains(value) else {
            throw .badRequest("invalid_parameter", "\(name) must be a number from 0 to 1, not '\(text)'")
        }
        return value
    }
}
