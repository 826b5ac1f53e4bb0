import ArgumentParser
import ArgusCore
import ArgusVision
import Foundation

struct Track: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Detect and track objects in a video, or track MOTChallenge detections (ByteTrack).",
        discussion: """
            With VIDEO: detects objects on its frames, tracks them, prints the tracks and, with --annotate, writes \
            an H.264 MP4 with boxes, track ids and trails. With --detections: tracks the MOTChallenge detections of \
            a file (frame,id,left,top,width,height,score), so the tracker can be scored on public detections apart \
            from any detector; the frame rate defaults to the seqinfo.ini beside the file's folder, else 30.
            """)

    @Argument(help: "A video file (MP4, MOV, AVI, MKV, WebM).")
    var video: String?

    @Option(help: "A MOTChallenge detections file (det.txt) instead of a video.")
    var detections: String?

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Minimum detection confidence, 0-1 (low-score detections feed the second association).")
    var conf: Float = VideoProcessingOptions.defaultConfidence

    @Option(help: "IoU threshold for non-maximum suppression, 0-1.")
    var iou: Float = DetectionOptions.defaultIoU

    @Option(help: "Only these classes (comma-separated names or indices).")
    var classes: String?

    @Option(help: "Detect every Nth frame; the tracker predicts the frames between.")
    var stride: Int = 1

    @Option(help: "Write the annotated video (H.264 MP4) here.")
    var annotate: String?

    @Option(
        help: """
            libx264 preset of the annotated video: ultrafast, superfast, veryfast, faster, fast, medium. \
            Faster presets make larger files.
            """)
    var encoderPreset: String = VideoProcessingOptions.defaultEncoderPreset

    @Option(name: .customLong("frame-rate"), help: "Frames per second of --detections (scales the lost-track buffer).")
    var frameRate: Double?

    @Option(
        help: """
            Counting zones: a JSON array of lines and polygons, or the path of a file holding one \
            ([{"name":"door","line":[[x1,y1],[x2,y2]]},{"name":"shop","polygon":[[x,y],...]}], in pixels).
            """)
    var zones: String?

    @Option(
        name: .customLong("detect-workers"),
        help: "Frames detected at once, each on its own thread (default: the cores ÷ --threads, which is 1 here by default).")
    var detectWorkers: Int?

    @Option(help: "Output format: mot, json or csv.")
    var format: TrackWriter.Format = .mot

    @OptionGroup var trackerOptions: TrackerOptions

    @Flag(help: "Show a progress bar on stderr even when it is not a terminal.")
    var progress = false

    @Flag(help: "No progress bar.")
    var quiet = false

    func validate() throws {
        guard (video == nil) != (detections == nil) else {
            throw ValidationError("give either a VIDEO or --detections FILE")
        }
        guard (0...1).contains(conf) else { throw ValidationError("--conf must be between 0 and 1") }
        guard (0...1).contains(iou) else { throw ValidationError("--iou must be between 0 and 1") }
        guard (1...1000).contains(stride) else { throw ValidationError("--stride must be between 1 and 1000") }
        if let frameRate, !(frameRate > 0 && frameRate <= 1000) {
            throw ValidationError("--frame-rate must be above 0 and at most 1000")
        }
        if detections != nil && annotate != nil { throw ValidationError("--annotate needs a VIDEO") }
        if detections != nil && zones != nil { throw ValidationError("--zones needs a VIDEO") }
        if let zones { _ = try Self.readZones(zones) }
        if let detectWorkers, !(1...256).contains(detectWorkers) {
            throw ValidationError("--detect-workers must be between 1 and 256")
        }
        guard VideoProcessingOptions.encoderPresets.contains(encoderPreset) else {
            throw ValidationError(
                "--encoder-preset must be one of \(VideoProcessingOptions.encoderPresets.joined(separator: ", "))")
        }
    }

    func run() throws {
        if let detections { return try trackDetections(detections) }
        if let video { try trackVideo(video) }
    }

    private func trackVideo(_ path: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            printError("argus: \(path): no such file, or it cannot be read")
            throw ExitCode(1)
        }
        let tools = try report(path) { () throws(VideoError) in try VideoTools.locate() }
        let info = try report(path) { () throws(VideoError) in try tools.probe(path: path) }
        // ffmpeg decodes and encodes on the same cores: spinning intra-op threads take CPU
        // from them (measured: 40.8 frames/s spinning, 43.5 not, annotating vtest.avi on 2 cores).
        let (threads, workers) = Self.split(threads: modelOptions.threads, workers: detectWorkers)
        let detector = try modelOptions.loadDetector(allowSpinning: false, threads: threads)
        var detection = DetectionOptions(confidenceThreshold: conf, iouThreshold: iou)
        if let classes {
            do {
                detection.classFilter = try ClassSelection.resolve(
                    ClassSelection.split(classes), labels: detector.manifest.labels)
            } catch {
                throw ValidationError("unknown class '\(error.name)' for model \(modelOptions.model)")
            }
        }
        let countingZones = try zones.map(Self.readZones) ?? []
        let options = VideoProcessingOptions(
            detection: detection, tracker: try trackerOptions.configuration(frameRate: info.frameRate), stride: stride,
            annotatedPath: annotate, encoderPreset: encoderPreset, zones: countingZones,
            detectionWorkers: workers)
        let writer = TrackWriter(format: format, source: path, frameRate: info.frameRate)
        let total = info.frameCount ?? 0
        let bar = ProgressBar(total: total, enabled: !quiet && total > 0 && (progress || ProgressBar.isTerminal))
        let processor = VideoProcessor(tools: tools, detector: detector, options: options)
        let (summary, _) = try report(path) { () throws(VideoError) in
            try processor.run(
                path: path, info: info, onFrame: writer.add,
                progress: { state in
                    if state.framesDone % 5 == 0 {
                        bar.update(done: state.framesDone, current: String(format: "%.1f fps", state.framesPerSecond))
                    }
                })
        }
        bar.finish()
        writer.finish(video: info, summary: summary)
        if !quiet {
            printError(
                String(
                    format: "argus: %d frames in %.1f s (%.1f fps), %d tracks", summary.frames, summary.processingSeconds,
                    summary.processingFrameRate, summary.uniqueTracks.values.reduce(0, +)))
            for zone in summary.zones { printError("argus: zone \(zone.caption)") }
        }
    }

    /// ONNX Runtime's threads per run and the runs side by side. By default one thread per
    /// run and a run per core (measured on vtest.avi, 2 cores: 49.2 frames/s against 46.5
    /// for one run of two threads); with `--threads N`, the cores ÷ N runs.
    static func split(threads: Int, workers: Int?) -> (threads: Int, workers: Int) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if threads == 0 { return (1, workers ?? max(1, cores)) }
        return (threads, workers ?? max(1, cores / threads))
    }

    /// `--zones`: JSON text (it starts with `[`) or the path of a JSON file.
    static func readZones(_ value: String) throws -> [CountingZone] {
        let data: Data
        if value.trimmingCharacters(in: .whitespaces).hasPrefix("[") {
            data = Data(value.utf8)
        } else {
            guard let contents = FileManager.default.contents(atPath: value) else {
                throw ValidationError("--zones: \(value) is neither a JSON array nor a readable file")
            }
            data = contents
        }
        do {
            return try CountingZone.parseList(data)
        } catch {
            throw ValidationError("--zones: \(error)")
        }
    }

    /// Runs a video step; a failure prints `argus: FILE: reason` and exits 1.
    private func report<T>(_ path: String, _ body: () throws(VideoError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            printError("argus: \(path): \(error)")
            throw ExitCode(1)
        }
    }

    private func trackDetections(_ path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            printError("argus: \(path): cannot be read as UTF-8 text")
            throw ExitCode(1)
        }
        let records: [MOTChallengeFormat.Record]
        do {
            records = try MOTChallengeFormat.parse(text)
        } catch {
            printError("argus: \(path): \(error)")
            throw ExitCode(1)
        }
        let rate = frameRate ?? SequenceInfo.frameRate(besideDetections: path) ?? 30
        var tracker = ByteTracker(configuration: try trackerOptions.configuration(frameRate: rate))
        let writer = TrackWriter(format: format, source: path, frameRate: rate)
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
