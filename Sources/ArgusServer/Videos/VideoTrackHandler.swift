import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import Synchronization

/// The payload of a `video.track` job.
struct VideoTrackPayload: Codable, Sendable {
    let video_id: UUID
    let user_id: UUID
}

/// Detects and tracks a stored video: ffmpeg decodes it, the detector and ByteTrack run on
/// every frame (or every `stride`th), the zones count, and the annotated MP4 is encoded, on
/// a thread of its own (it blocks on pipes). Writes the tracks as JSON, MOTChallenge and
/// CSV beside the video, and a thumbnail; the summary reaches the video's row in the
/// transaction that ends the job. Running it again rewrites the same files.
struct VideoTrackHandler: JobHandler {
    static let kind = "video.track"
    let dependencies: ServerDependencies

    var kind: String { Self.kind }
    /// An hour of video at 10 fps processed at 5 fps takes 2 hours: the longest accepted
    /// videos need long attempts.
    var softTimeout: Duration { .seconds(3 * 3600 - 60) }
    var hardTimeout: Duration { .seconds(3 * 3600) }

    struct Result: Codable, Sendable {
        let video_id: String
        let summary: VideoProcessingSummary
    }

    func run(_ job: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(VideoTrackPayload.self)
        let db = dependencies.database.db
        guard let record = try await VideoRecord.find(payload.video_id, on: db) else {
            throw PermanentJobFailure("the video was deleted")
        }
        let settings: VideoTrackSettings
        let info: VideoInfo
        do {
            settings = try JSONDecoder().decode(VideoTrackSettings.self, from: Data(record.settings.utf8))
            info = try JSONDecoder().decode(VideoInfo.self, from: Data(record.probe.utf8))
        } catch {
            throw PermanentJobFailure("the video's stored settings cannot be read: \(error)")
        }
        let detector = try dependencies.library.detector(for: settings.model)
        let tools = try VideoTools.locate()
        let files = dependencies.videoFiles
        let id = payload.video_id
        // As many frames at once as the inference pool has slots: every core busy, as for images.
        let options = try settings.processingOptions(
            frameRate: info.frameRate, annotatedPath: files.annotated(id),
            workers: dependencies.configuration.effectiveInferenceConcurrency)
        let processor = VideoProcessor(tools: tools, detector: detector, options: options)

        let state = RunState()
        let work = Task {
            try await BlockingWork.run { () throws -> (VideoProcessingSummary, [TrackFormats.TrackRecord]) in
                try Self.process(processor, id: id, info: info, files: files, state: state)
            }
        }
        // Progress every half second, from what the processing thread last reported.
        let reporter = Task {
            var last = -1
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                let progress = state.withLock { $0.progress }
                guard let progress, progress.framesDone != last else { continue }
                last = progress.framesDone
                let total = progress.totalFrames.map { " of \($0)" } ?? ""
                await job.progress(
                    min(99, progress.percent ?? 0),
                    String(format: "%d%@ frames, %.1f fps", progress.framesDone, total, progress.framesPerSecond))
            }
        }
        defer { reporter.cancel() }
        let (summary, tracks) = try await withTaskCancellationHandler {
            try await work.value
        } onCancel: {
            state.withLock { $0.cancelled = true }
        }
        reporter.cancel()
        let trackCount = summary.uniqueTracks.values.reduce(0, +)
        let annotatedBytes = settings.annotate ? VideoFiles.size(of: files.annotated(id)) ?? 0 : 0
        let summaryText = String(decoding: try JSONCoding.encoder.encode(summary), as: UTF8.self)
        let result = Result(video_id: id.lowercased, summary: summary)
        let runner = TaskRunner(dependencies: dependencies)
        let model = detector.manifest.id
        return JobOutcome(
            result: String(decoding: try JSONCoding.encoder.encode(result), as: UTF8.self),
            write: { db in
                guard let record = try await VideoRecord.find(id, on: db) else { return }
                record.summary = summaryText
                record.trackCount = trackCount
                record.annotatedBytes = annotatedBytes
                try await record.save(on: db)
                // The history's run, one object per track; a job that runs again replaces it.
                try await Self.deleteRuns(of: id, on: db)
                _ = try await runner.record(
                    task: .track, model: model, userId: payload.user_id, imageId: nil, videoId: id,
                    width: info.displayWidth, height: info.displayHeight,
                    inferenceMs: summary.meanDetectionMilliseconds * Double(summary.detectedFrames),
                    totalMs: summary.processingSeconds * 1000, on: db
                ) { runId in tracks.map { DetectedObjectRecord.track($0, runId: runId, userId: payload.user_id) } }
            })
    }

    /// Removes a video's tracking runs and their objects from the history.
    static func deleteRuns(of videoId: UUID, on db: any Database) async throws {
        let runIds = try await InferenceRunRecord.query(on: db).filter(\.$videoId == videoId).all().compactMap(\.id)
        guard !runIds.isEmpty else { return }
        try await DetectedObjectRecord.query(on: db).filter(\.$run.$id ~~ runIds).delete()
        try await InferenceRunRecord.query(on: db).filter(\.$id ~~ runIds).delete()
    }

    /// What the processing thread shares with the job's task.
    final class RunState: Sendable {
        struct Value {
            var progress: VideoProgress?
            var cancelled = false
        }
        private let value = Mutex(Value())

        func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
    }

    /// The blocking part, on its own thread.
    private static func process(
        _ processor: VideoProcessor, id: UUID, info: VideoInfo, files: VideoFiles, state: RunState
    ) throws -> (VideoProcessingSummary, [TrackFormats.TrackRecord]) {
        let mot = try TextFile(files.folder(id) + "/tracks.mot.txt")
        let csv = try TextFile(files.folder(id) + "/tracks.csv")
        csv.write(TrackFormats.csvHeader + "\n")
        let (summary, log): (VideoProcessingSummary, TrackLog)
        do {
            (summary, log) = try processor.run(
                path: files.source(id), info: info,
                onFrame: { frame, objects in
                    for object in objects {
                        mot.write(MOTChallengeFormat.resultLine(frame: frame, object: object) + "\n")
                        csv.write(TrackFormats.csvRow(frame: frame, object: object) + "\n")
                    }
                },
                progress: { progress in state.withLock { $0.progress = progress } },
                isCancelled: { state.withLock { $0.cancelled } })
        } catch .cancelled {
            throw CancellationError()
        } catch {
            throw PermanentJobFailure("the video cannot be processed: \(error)")
        }
        try mot.close()
        try csv.close()
        let records = log.tracks.map { TrackFormats.TrackRecord($0, frameRate: info.frameRate) }
        try files.write(try JSONCoding.encoder.encode(records), to: files.tracks(id))
        // The thumbnail shows what was found: a frame of the annotated video when there is one.
        let annotated = files.annotated(id)
        let source = FileManager.default.fileExists(atPath: annotated) ? annotated : files.source(id)
        try? processor.tools.thumbnail(
            of: source, at: min(1, (info.duration ?? 0) / 2), size: VideoFiles.thumbnailSize, to: files.thumbnail(id))
        return (summary, records)
    }
}

/// A text file written line by line from one thread, buffered.
private final class TextFile: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path)
        else { throw PermanentJobFailure("cannot write \((path as NSString).lastPathComponent)") }
        self.handle = handle
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 64 * 1024 { flush() }
    }

    private func flush() {
        try? handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        try handle.close()
    }
}
