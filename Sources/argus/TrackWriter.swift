import ArgumentParser
import ArgusCore
import Foundation

/// Prints tracker results: MOTChallenge and CSV lines frame by frame, JSON (per track) at
/// the end.
final class TrackWriter {
    enum Format: String, ExpressibleByArgument, CaseIterable { case mot, json, csv }

    private let format: Format
    private let frameRate: Double?
    private let output: OutputWriter
    private var log = TrackLog()

    init(format: Format, frameRate: Double?, output: OutputWriter = OutputWriter()) {
        self.format = format
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

    func finish() {
        if format == .json {
            let document = log.tracks.map { TrackFormats.TrackRecord($0, frameRate: frameRate) }
            let data = (try? JSONLines.encoder.encode(document)) ?? Data("[]".utf8)
            output.write(String(decoding: data, as: UTF8.self) + "\n")
        }
        output.flush()
    }
}
