import ArgusCore
import ArgusVision
import Foundation

/// How a video is processed, as `POST /api/v1/videos` reads it from its query string and
/// form fields, checked before the job is queued and stored with the video.
struct VideoTrackSettings: Codable, Sendable, Hashable {
    var model: String
    var conf: Float
    var iou: Float
    /// Class indices of the model (resolved from names or indices at upload).
    var classes: [Int]?
    var stride: Int
    var annotate: Bool
    /// The zones as sent (JSON text; CountingZone.parseList reads it).
    var zones: String?
    var track_high: Float
    var track_low: Float
    var track_birth: Float?
    var track_match: Float
    var lost_buffer: Int
    var min_hits: Int
    var track_any_class: Bool

    static let names: Set<String> = [
        "model", "conf", "iou", "classes", "stride", "annotate", "zones", "track_high", "track_low", "track_birth",
        "track_match", "lost_buffer", "min_hits", "track_any_class",
    ]

    /// Reads and checks the settings; `labels` resolves `classes` (the model is loaded first).
    init(parameters: RequestParameters, defaultModel: String) throws(APIError) {
        model = parameters["model"] ?? defaultModel
        guard ModelManifest.isValidId(model) else { throw .badRequest("invalid_parameter", "invalid model id '\(model)'") }
        conf = try parameters.number("conf", in: 0...1).map(Float.init) ?? VideoProcessingOptions.defaultConfidence
        iou = try parameters.number("iou", in: 0...1).map(Float.init) ?? DetectionOptions.defaultIoU
        stride = try parameters.integer("stride", default: 1, in: 1...1000)
        annotate = try parameters.boolean("annotate") ?? true
        let defaults = TrackerConfiguration()
        track_high = try parameters.number("track_high", in: 0...1).map(Float.init) ?? defaults.highThreshold
        track_low = try parameters.number("track_low", in: 0...1).map(Float.init) ?? defaults.lowThreshold
        track_birth = try parameters.number("track_birth", in: 0...1).map(Float.init)
        track_match = try parameters.number("track_match", in: 0...1).map(Float.init) ?? defaults.matchThreshold
        lost_buffer = try parameters.integer("lost_buffer", default: defaults.lostBuffer, in: 0...100_000)
        min_hits = try parameters.integer("min_hits", default: defaults.minimumHits, in: 1...1000)
        track_any_class = try parameters.boolean("track_any_class") ?? defaults.classAgnostic
        if let problem = tracker(frameRate: 30).problem { throw .badRequest("invalid_parameter", problem) }
        if let text = parameters["zones"] {
            do {
                _ = try CountingZone.parseList(Data(text.utf8))
            } catch {
                throw .badRequest("invalid_zones", "zones: \(error)")
            }
            zones = text
        }
        if let text = parameters["classes"] {
            let names = ClassSelection.split(text)
            guard !names.isEmpty else { throw .badRequest("invalid_parameter", "classes must list at least one class") }
            pendingClasses = names
        }
    }

    /// Class names or indices as sent, until `resolveClasses` knows the model's labels.
    private var pendingClasses: [String]?

    enum CodingKeys: String, CodingKey {
        case model, conf, iou, classes, stride, annotate, zones, track_high, track_low, track_birth, track_match
        case lost_buffer, min_hits, track_any_class
    }

    mutating func resolveClasses(labels: [String]) throws(APIError) {
        guard let pendingClasses else { return }
        do {
            classes = try ClassSelection.resolve(pendingClasses, labels: labels).sorted()
        } catch {
            throw .badRequest("invalid_parameter", "unknown class '\(error.name)' for model \(model)")
        }
        self.pendingClasses = nil
    }

    func tracker(frameRate: Double) -> TrackerConfiguration {
        TrackerConfiguration(
            highThreshold: track_high, lowThreshold: track_low, birthThreshold: track_birth, matchThreshold: track_match,
            lostBuffer: lost_buffer, minimumHits: min_hits, classAgnostic: track_any_class, frameRate: frameRate)
    }

    /// The detector's options: the score and overlap thresholds and the classes kept.
    var detectionOptions: DetectionOptions {
        var detection = DetectionOptions(confidenceThreshold: conf, iouThreshold: iou)
        if let classes { detection.classFilter = Set(classes) }
        return detection
    }

    /// The zones to count in (checked when the settings were read).
    func countingZones() throws -> [CountingZone] {
        try zones.map { try CountingZone.parseList(Data($0.utf8)) } ?? []
    }

    /// The processing options, writing the annotated video to `annotatedPath` when asked,
    /// detecting `workers` frames at once.
    func processingOptions(frameRate: Double, annotatedPath: String, workers: Int) throws -> VideoProcessingOptions {
        VideoProcessingOptions(
            detection: detectionOptions, tracker: tracker(frameRate: frameRate), stride: stride,
            annotatedPath: annotate ? annotatedPath : nil, zones: try countingZones(), detectionWorkers: workers)
    }
}
