/// Every confirmed track of a video, gathered frame by frame: what the JSON results and
/// the per-track summaries are made of.
public struct TrackLog: Sendable {
    /// One frame of one track.
    public struct Observation: Sendable, Hashable, Codable {
        public var frame: Int
        public var box: BoundingBox
        public var confidence: Float
        public var predicted: Bool
    }

    /// One track over the whole video.
    public struct Track: Sendable, Hashable {
        public var trackId: Int
        public var classId: Int
        public var label: String
        public var observations: [Observation]

        public var firstFrame: Int { observations.first?.frame ?? 0 }
        public var lastFrame: Int { observations.last?.frame ?? 0 }
        /// Over the frames a detection matched (predicted frames repeat an old score).
        public var meanConfidence: Float {
            let matched = observations.filter { !$0.predicted }
            guard !matched.isEmpty else { return 0 }
            return matched.reduce(0) { $0 + $1.confidence } / Float(matched.count)
        }
    }

    private var tracksById: [Int: Track] = [:]

    public init() {}

    public mutating func record(frame: Int, objects: [TrackedObject]) {
        for object in objects {
            let observation = Observation(
                frame: frame, box: object.box, confidence: object.confidence, predicted: object.predicted)
            tracksById[
                object.trackId,
                default: Track(
                    trackId: object.trackId, classId: object.classId, label: object.label, observations: [])
            ]
            .observations.append(observation)
        }
    }

    /// In id order.
    public var tracks: [Track] { tracksById.values.sorted { $0.trackId < $1.trackId } }

    /// Distinct confirmed tracks per label.
    public var uniqueTracksPerLabel: [String: Int] {
        tracksById.values.reduce(into: [:]) { counts, track in counts[track.label, default: 0] += 1 }
    }
}
