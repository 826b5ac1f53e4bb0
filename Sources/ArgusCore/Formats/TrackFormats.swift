/// Tracker results as text, one owner for the CLI and the API: CSV rows per frame and the
/// JSON document per track. (MOTChallenge lines are in ``MOTChallengeFormat``.)
public enum TrackFormats {
    public static let csvHeader = CSVFormat.line([
        "frame", "track_id", "label", "class_id", "confidence", "x1", "y1", "x2", "y2", "predicted",
    ])

    /// One CSV row, without its `\n`.
    public static func csvRow(frame: Int, object: TrackedObject) -> String {
        let box = object.box
        return CSVFormat.line([
            String(frame), String(object.trackId), object.label, String(object.classId),
            NumberFormat.text(object.confidence), NumberFormat.text(box.x1), NumberFormat.text(box.y1),
            NumberFormat.text(box.x2), NumberFormat.text(box.y2), object.predicted ? "true" : "false",
        ])
    }

    /// A track as the JSON results show it.
    public struct TrackRecord: Sendable, Hashable, Encodable {
        public struct Box: Sendable, Hashable, Encodable {
            public var frame: Int
            public var bbox: [Float]
            public var confidence: Float
            public var predicted: Bool
        }
        public var trackId: Int
        public var label: String
        public var classId: Int
        public var firstFrame: Int
        public var lastFrame: Int
        /// Seconds from the start, when the frame rate is known.
        public var firstTime: Double?
        public var lastTime: Double?
        public var meanConfidence: Float
        public var boxes: [Box]

        enum CodingKeys: String, CodingKey {
            case trackId = "track_id"
            case label
            case classId = "class_id"
            case firstFrame = "first_frame"
            case lastFrame = "last_frame"
            case firstTime = "first_time"
            case lastTime = "last_time"
            case meanConfidence = "mean_confidence"
            case boxes
        }

        /// Frames count from 1; frame n starts at (n - 1) / fps seconds.
        public init(_ track: TrackLog.Track, frameRate: Double?) {
            trackId = track.trackId
            label = track.label
            classId = track.classId
            firstFrame = track.firstFrame
            lastFrame = track.lastFrame
            if let frameRate, frameRate > 0 {
                firstTime = NumberFormat.derived(Double(track.firstFrame - 1) / frameRate)
                lastTime = NumberFormat.derived(Double(track.lastFrame - 1) / frameRate)
            }
            meanConfidence = track.meanConfidence
            boxes = track.observations.map {
                Box(
                    frame: $0.frame, bbox: [$0.box.x1, $0.box.y1, $0.box.x2, $0.box.y2], confidence: $0.confidence,
                    predicted: $0.predicted)
            }
        }
    }
}
