import ArgusCore

/// How a video is processed: what to detect, how to track, what to write.
public struct VideoProcessingOptions: Sendable {
    /// ByteTrack's second association needs detections down to its low threshold, so the
    /// detector's confidence floor defaults to it, not to the image default of 0.25.
    public static let defaultConfidence: Float = 0.1
    /// libx264's presets, fastest first; slower ones than `medium` cost too much here.
    public static let encoderPresets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"]
    public static let defaultEncoderPreset = "veryfast"

    public var detection: DetectionOptions
    /// The frame rate is taken from the video.
    public var tracker: TrackerConfiguration
    /// Detect every `stride`th frame (1: every frame); the tracker predicts the others.
    public var stride: Int
    /// Where to write the annotated H.264 MP4; nil: none.
    public var annotatedPath: String?
    /// Frames of trail drawn behind each track.
    public var trailLength: Int
    /// libx264's preset for the annotated video.
    public var encoderPreset: String
    /// Lines and polygons the tracks are counted against (drawn in the annotated video).
    public var zones: [CountingZone]
    /// Frames detected at once (each on its own thread; results are tracked in order).
    public var detectionWorkers: Int

    public init(
        detection: DetectionOptions = DetectionOptions(confidenceThreshold: defaultConfidence),
        tracker: TrackerConfiguration = TrackerConfiguration(), stride: Int = 1, annotatedPath: String? = nil,
        trailLength: Int = 30, encoderPreset: String = defaultEncoderPreset, zones: [CountingZone] = [],
        detectionWorkers: Int = 1
    ) {
        self.zones = zones
        self.detectionWorkers = max(1, detectionWorkers)
        self.detection = detection
        self.tracker = tracker
        self.stride = stride
        self.annotatedPath = annotatedPath
        self.trailLength = trailLength
        self.encoderPreset = encoderPreset
    }
}

/// Where a run stands, reported after every frame.
public struct VideoProgress: Sendable, Hashable {
    public var framesDone: Int
    /// From the probe; nil when the container does not say.
    public var totalFrames: Int?
    /// Frames per second processed so far.
    public var framesPerSecond: Double

    public var percent: Int? {
        guard let totalFrames, totalFrames > 0 else { return nil }
        return min(100, framesDone * 100 / totalFrames)
    }
}

/// What a finished run found and how long it took.
public struct VideoProcessingSummary: Sendable, Hashable, Codable {
    public var frames: Int
    /// Frames the detector ran on (all of them unless a stride was set).
    public var detectedFrames: Int
    public var sourceFrameRate: Double
    public var processingSeconds: Double
    public var processingFrameRate: Double
    /// Mean detector time per detected frame (pre-processing, inference, decoding), ms.
    public var meanDetectionMilliseconds: Double
    /// Distinct confirmed tracks per label.
    public var uniqueTracks: [String: Int]
    /// What each zone counted, in the order given.
    public var zones: [ZoneSummary]

    enum CodingKeys: String, CodingKey {
        case frames
        case detectedFrames = "detected_frames"
        case sourceFrameRate = "source_fps"
        case processingSeconds = "processing_seconds"
        case processingFrameRate = "processing_fps"
        case meanDetectionMilliseconds = "mean_detection_ms"
        case uniqueTracks = "unique_tracks"
        case zones
    }
}
