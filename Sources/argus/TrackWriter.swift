import ArgumentParser
import ArgusCore
import ArgusVision
import Foundation

/// Prints tracker results: MOTChallenge and CSV lines frame by frame, JSON (per track) at
/// the end, with the video's probe and the run's summary when there is a video.
final class TrackWriter {
    struct Document: Encodable {
        let source: String
        let video: VideoInfo?
        let summary: VideoProcessingSummary?
        let tracks: [TrackFormats.TrackRecord]
    }

    enum Format: String, ExpressibleByArgument, CaseIterable { case mot, json, csv }

    private let format: Format
    private let source: String
    private let frameRate: Double?
    private let output: OutputWriter
    private var log = TrackLog()

    init(format: Format, source: String, frameRate: Double?, output: OutputWriter = OutputWriter()) {
        self.format = format
        self.source = source
        self.frameRate = frameRate
        self.output = output
        if format == .csv { output.write(TrackFormats.csvHeader + "\n") }
    }

    func add(frame: Int, objects: [TrackedObject]) {
        switch format {
        case .mot:
            for object in objects { output.write(MOTChallengeFormat.resultLine(frame: frame, object: object) + "\n") }
        case .csv:
            for object in objects { output.write(TrackFormats.csvRow(frame: frame, object: object) + "\n") }
        case .json:
            log.record(frame: frame, objects: objects)
        }
    }

    func finish(video: VideoInfo? = nil, summary: VideoProcessingSummary? = nil) {
        if format == .json {
            let document = Document(
                source: source, video: video, summary: summary,
                tracks: log.tracks.map { TrackFormats.TrackRecord($0, frameRate: frameRate) })
            let data = (try? JSONLines.encoder.encode(document)) ?? Data("{}".utf8)
            output.write(String(decoding: data, as: UTF8.self) + "\n")
        }
        output.flush()
    }
}
