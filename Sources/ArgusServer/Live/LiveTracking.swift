import ArgusCore
import ArgusVision
import Foundation

/// One live session's tracker and zone counts, fed processed frames in order by the
/// session's processing task alone. A new model starts the tracker again (its classes
/// differ); new zones start their counts again.
struct LiveTracking {
    private(set) var tracker: ByteTracker
    private var zoneCounter: ZoneCounter?
    private var model: String
    private var zones: [CountingZone]
    private var trackerConfiguration: TrackerConfiguration
    /// Distinct tracks per class, counted as each new id appears: ids are given in order
    /// of confirmation, so one above the highest seen is new (no set of ids to keep).
    private var uniqueTracks: [String: Int] = [:]
    private var highestTrackId = 0

    init(_ options: LiveOptions) {
        model = options.settings.model
        zones = options.zones
        trackerConfiguration = options.tracker
        tracker = ByteTracker(configuration: trackerConfiguration)
        zoneCounter = zones.isEmpty ? nil : ZoneCounter(zones: zones, frameRate: LiveOptions.frameRate)
    }

    /// Takes `options` for the frames to come.
    mutating func adopt(_ options: LiveOptions) {
        if options.settings.model != model || options.tracker != trackerConfiguration {
            self = LiveTracking(options)
            return
        }
        if options.zones != zones {
            zones = options.zones
            zoneCounter = zones.isEmpty ? nil : ZoneCounter(zones: zones, frameRate: LiveOptions.frameRate)
        }
    }

    /// Tracks one frame's detections: each detection with its confirmed track's id.
    mutating func update(
        _ detections: [ArgusCore.Detection]
    ) -> (
        detections: [LiveMessage.Detection], tracks: [String: Int], zones: [ZoneSummary]?
    ) {
        let objects = tracker.update(detections)
        zoneCounter?.update(objects)
        var trackIds = [Int?](repeating: nil, count: detections.count)
        for object in objects.sorted(by: { $0.trackId < $1.trackId }) {
            if let index = object.detectionIndex { trackIds[index] = object.trackId }
            if object.trackId > highestTrackId {
                highestTrackId = object.trackId
                uniqueTracks[object.label, default: 0] += 1
            }
        }
        let answered = detections.indices.map { index in
            let detection = detections[index]
            return LiveMessage.Detection(
                label: detection.label, class_id: detection.classId, confidence: detection.confidence,
                bbox: BoxRecord(detection.box), track_id: trackIds[index])
        }
        return (answered, uniqueTracks, zoneCounter?.summary)
    }
}
