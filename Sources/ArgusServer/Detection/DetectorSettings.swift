import ArgusCore
import Foundation

/// A detector and its options as a job carries them (in its JSON payload), resolved
/// when the request came in: the model id and the class filter as class indices.
struct DetectorSettings: Codable, Sendable {
    let model: String
    let conf: Float
    let iou: Float
    let max_det: Int
    let agnostic: Bool
    let class_ids: [Int]?
    /// Absent in payloads from before tiling existed (off).
    let tile: String?
    let tile_overlap: Float?

    init(model: String, options: DetectionOptions) {
        self.model = model
        conf = options.confidenceThreshold
        iou = options.iouThreshold
        max_det = options.maxDetections
        agnostic = options.classAgnostic
        class_ids = options.classFilter.map { $0.sorted() }
        tile = options.tiling == .off ? nil : options.tiling.parameter
        tile_overlap = options.tiling == .off ? nil : options.tileOverlap
    }

    var options: DetectionOptions {
        var options = DetectionOptions(
            confidenceThreshold: conf, iouThreshold: iou, classFilter: class_ids.map(Set.init), maxDetections: max_det,
            classAgnostic: agnostic)
        options.tiling = tile.flatMap(Tiling.init(parameter:)) ?? .off
        options.tileOverlap = tile_overlap ?? Tiling.defaultOverlap
        return options
    }
}
