import ArgumentParser
import ArgusCore

/// The tracker's knobs on the command line (ByteTrack's defaults).
struct TrackerOptions: ParsableArguments {
    @Option(name: .customLong("track-high"), help: "Score at which a detection joins the first association, 0-1.")
    var highThreshold: Float = 0.25

    @Option(name: .customLong("track-low"), help: "Lowest score of the second (occlusion) association, 0-1.")
    var lowThreshold: Float = 0.1

    @Option(name: .customLong("track-birth"), help: "Score at which a detection starts a track (default: track-high + 0.1).")
    var birthThreshold: Float?

    @Option(name: .customLong("track-match"), help: "Highest matching cost, 1 - IoU × score, 0-1.")
    var matchThreshold: Float = 0.8

    @Option(name: .customLong("lost-buffer"), help: "Frames (at 30 fps) a lost track is kept for re-finding.")
    var lostBuffer: Int = 30

    @Option(name: .customLong("min-hits"), help: "Matched frames before a track is confirmed and counted.")
    var minimumHits: Int = 1

    @Flag(name: .customLong("track-any-class"), help: "Let a track take a detection of another class.")
    var classAgnostic = false

    func configuration(frameRate: Double) throws -> TrackerConfiguration {
        let configuration = TrackerConfiguration(
            highThreshold: highThreshold, lowThreshold: lowThreshold, birthThreshold: birthThreshold,
            matchThreshold: matchThreshold, lostBuffer: lostBuffer, minimumHits: minimumHits, classAgnostic: classAgnostic,
            frameRate: frameRate)
        if let problem = configuration.problem { throw ValidationError(problem) }
        return configuration
    }
}
