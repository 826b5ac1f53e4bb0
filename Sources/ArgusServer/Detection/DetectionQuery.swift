import ArgusCore
import ArgusVision
import Foundation

/// The detector options a request may set in its query string, validated.
struct DetectionQuery {
    var model: String
    var options: DetectionOptions
    /// Class names or ids as given; resolved against the model's labels once it is known.
    var classes: [String]?

    static let names: Set<String> = ["model", "conf", "iou", "classes", "max_det", "agnostic", "tile", "tile_overlap"]

    /// Reads and checks the options; the parameters' names were checked by their reader.
    init(parameters: RequestParameters, defaultModel: String) throws(APIError) {
        model = parameters["model"] ?? defaultModel
        guard ModelManifest.isValidId(model) else { throw .badRequest("invalid_parameter", "invalid model id '\(model)'") }
        options = DetectionOptions()
        options.confidenceThreshold = try parameters.number("conf", in: 0...1).map(Float.init) ?? options.confidenceThreshold
        options.iouThreshold = try parameters.number("iou", in: 0...1).map(Float.init) ?? options.iouThreshold
        options.maxDetections = try parameters.integer("max_det", default: options.maxDetections, in: 1...Self.maxDetections)
        options.classAgnostic = try parameters.boolean("agnostic") ?? options.classAgnostic
        if let text = parameters["tile"] {
            guard let tiling = Tiling(parameter: text) else {
                throw .badRequest("invalid_parameter", "tile must be off, auto or WxH (64-8192 each, as 640x640)")
            }
            options.tiling = tiling
        }
        options.tileOverlap = try parameters.number("tile_overlap", in: 0...0.9).map(Float.init) ?? options.tileOverlap
        if let text = parameters["classes"] {
            let names = ClassSelection.split(text)
            guard !names.isEmpty else { throw .badRequest("invalid_parameter", "classes must list at least one class") }
            classes = names
        }
    }

    /// The most detections one request may ask for.
    static let maxDetections = 1000

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
}
