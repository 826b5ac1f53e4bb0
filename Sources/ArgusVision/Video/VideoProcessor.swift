import ArgusCore
import Foundation

/// Detection and tracking over a whole video: ffmpeg decodes on one thread, the detector and
/// tracker run on the caller's, and annotation and encoding on a third, with small bounded
/// queues between them, so the slowest stage (the detector, almost always) sets the pace and
/// memory stays flat however long the video. Blocking: call it from a thread of its own.
public struct VideoProcessor: Sendable {
    /// Frames buffered between two stages.
    static let queueDepth = 4

    public let tools: VideoTools
    public let detector: Detector
    public let options: VideoProcessingOptions

    public init(tools: VideoTools, detector: Detector, options: VideoProcessingOptions) {
        self.tools = tools
        self.detector = detector
        self.options = options
    }

    /// Processes `path` (already probed into `info`). `onFrame` gets each frame's confirmed
    /// tracks as they are known (for streaming MOT or CSV out); `progress` is called after
    /// each frame; `isCancelled` is polled each frame and stops the run with `.cancelled`.
    public func run(
        path: String, info: VideoInfo, onFrame: (Int, [TrackedObject]) -> Void = { _, _ in },
        progress: (VideoProgress) -> Void = { _ in }, isCancelled: () -> Bool = { false }
    ) throws(VideoError) -> (summary: VideoProcessingSummary, log: TrackLog) {
        let started = DispatchTime.now().uptimeNanoseconds
        let decoder = try VideoDecoder(tools: tools, path: path, info: info)
        let encoder = try options.annotatedPath.map { path throws(VideoError) in
            try VideoEncoder(
                tools: tools, path: path, width: decoder.width, height: decoder.height,
                frameRate: info.frameRateFraction, preset: options.encoderPreset)
        }
        let frames = BoundedQueue<Image>(capacity: Self.queueDepth)
        let failures = FirstFailure()
        let decodingDone = DispatchSemaphore(value: 0)
        let decoding = Thread {
            do throws(VideoError) {
                while let image = try decoder.nextFrame() {
                    guard frames.put(image) else { break }
                }
            } catch {
                failures.record(error)
            }
            frames.finish()
            decodingDone.signal()
        }
        decoding.start()

        let annotated = BoundedQueue<(Image, [TrackedObject], [String])>(capacity: Self.queueDepth)
        let encodingDone = DispatchSemaphore(value: 0)
        if let encoder {
            let (trailLength, zones) = (options.trailLength, options.zones)
            Thread {
                var annotator = TrackAnnotator(trailLength: trailLength, zones: zones)
                do throws(VideoError) {
                    while let (image, objects, captions) = annotated.take() {
                        annotator.draw(objects, captions: captions, on: image)
                        try encoder.write(image)
                    }
                    try encoder.finish()
                } catch {
                    failures.record(error)
                    annotated.abandon()
                }
                encodingDone.signal()
            }.start()
        } else {
            encodingDone.signal()
        }

        var configuration = options.tracker
        configuration.frameRate = info.frameRate
        var tracker = ByteTracker(configuration: configuration)
        var log = TrackLog()
        var counter = ZoneCounter(zones: options.zones, frameRate: info.frameRate)
        var frame = 0
        var detectedFrames = 0
        var detectionNanoseconds: UInt64 = 0
        var stopped: VideoError?
        let (detector, detection) = (self.detector, options.detection)
        let detecting = DetectionStage(
            workers: options.detectionWorkers, input: frames,
            detect: { image in try detector.detect(image, options: detection).detections }, stride: options.stride)
        while let result = detecting.next() {
            if isCancelled() {
                stopped = .cancelled
                break
            }
            if let error = result.error {
                stopped = .toolFailed(error)
                break
            }
            frame = result.frame
            let objects: [TrackedObject]
            if let detections = result.detections {
                objects = tracker.update(detections)
                detectionNanoseconds += result.nanoseconds
                detectedFrames += 1
            } else {
                objects = tracker.predictFrame()
            }
            log.record(frame: frame, objects: objects)
            counter.update(objects)
            onFrame(frame, objects)
            if encoder != nil {
                let captions = options.zones.isEmpty ? [] : counter.summary.map(\.caption)
                guard annotated.put((result.image, objects, captions)) else { break }
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            progress(
                VideoProgress(
                    framesDone: frame, totalFrames: info.frameCount, framesPerSecond: Double(frame) / max(elapsed, 1e-9)))
        }
        // Left early (cancelled, failed) or not, no stage may stay blocked on another.
        frames.abandon()
        detecting.abandonAndWait()
        decoder.close()
        if stopped != nil { annotated.abandon() }
        annotated.finish()
        encodingDone.wait()
        decodingDone.wait()
        if let failed = stopped ?? failures.first {
            // A partial annotated video is not left behind as if it were the whole one.
            if let annotatedPath = options.annotatedPath { try? FileManager.default.removeItem(atPath: annotatedPath) }
            throw failed
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let summary = VideoProcessingSummary(
            frames: frame, detectedFrames: detectedFrames, sourceFrameRate: info.frameRate, processingSeconds: seconds,
            processingFrameRate: Double(frame) / max(seconds, 1e-9),
            meanDetectionMilliseconds: detectedFrames > 0 ? Double(detectionNanoseconds) / 1e6 / Double(detectedFrames) : 0,
            uniqueTracks: log.uniqueTracksPerLabel, zones: counter.summary)
        return (summary, log)
    }
}

/// The first error any stage of a pipeline hit.
final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var error: VideoError?

    func record(_ error: VideoError) {
        lock.lock()
        if self.error == nil { self.error = error }
        lock.unlock()
    }

    var first: VideoError? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }
}
