import ArgumentParser
import ArgusCore
import Foundation

struct Track: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Track objects across frames (ByteTrack).",
        discussion: """
            With --detections, tracks the MOTChallenge detections of a file (frame,id,left,top,width,height,score) \
            and prints MOTChallenge results, so the tracker can be scored on public detections apart from any \
            detector. The frame rate defaults to the seqinfo.ini beside the file's folder, else 30.
            """)

    @Option(help: "A MOTChallenge detections file (det.txt).")
    var detections: String

    @Option(name: .customLong("frame-rate"), help: "Frames per second (scales the lost-track buffer).")
    var frameRate: Double?

    @Option(help: "Output format: mot, json or csv.")
    var format: TrackWriter.Format = .mot

    @OptionGroup var trackerOptions: TrackerOptions

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: detections, encoding: .utf8)
        } catch {
            printError("argus: \(detections): cannot be read as UTF-8 text")
            throw ExitCode(1)
        }
        let records: [MOTChallengeFormat.Record]
        do {
            records = try MOTChallengeFormat.parse(text)
        } catch {
            printError("argus: \(detections): \(error)")
            throw ExitCode(1)
        }
        let rate = frameRate ?? SequenceInfo.frameRate(besideDetections: detections) ?? 30
        var tracker = ByteTracker(configuration: try trackerOptions.configuration(frameRate: rate))
        let writer = TrackWriter(format: format, frameRate: rate)
        let byFrame = Dictionary(grouping: records, by: \.frame)
        let lastFrame = records.map(\.frame).max() ?? 0
        // Every frame up to the last, with or without detections, so lost tracks age.
        for frame in 1...max(lastFrame, 1) where lastFrame > 0 {
            let frameDetections = (byFrame[frame] ?? []).map {
                Detection(classId: 0, label: "object", confidence: $0.confidence, box: $0.box)
            }
            writer.add(frame: frame, objects: tracker.update(frameDetections))
        }
        writer.finish()
    }
}

/// The MOTChallenge seqinfo.ini of a sequence (`[Sequence]` with `frameRate=30`).
enum SequenceInfo {
    /// The frame rate in `<sequence>/seqinfo.ini` for `<sequence>/det/det.txt`.
    static func frameRate(besideDetections path: String) -> Double? {
        let sequence = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let ini = (sequence as NSString).appendingPathComponent("seqinfo.ini")
        guard let text = try? String(contentsOfFile: ini, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0].lowercased() == "framerate", let rate = Double(parts[1]), rate > 0 {
                return rate
            }
        }
        return nil
    }
}
