import ArgusCore
import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

/// Probing, decoding and encoding through ffmpeg, and the whole detect-track-annotate
/// pipeline, on vtest.avi and clips cut from it. Every blocking call runs off the
/// cooperative threads (BlockingWork).
@Suite struct VideoTests {
    @Test func probesTheSampleAVI() async throws {
        let tools = try VideoFixtures.tools
        let info = try await BlockingWork.run { try tools.probe(path: VideoFixtures.vtest.path) }
        #expect(info.container == "avi" && info.codec == "msmpeg4v3")
        #expect(info.width == 768 && info.height == 576 && info.rotation == 0)
        #expect(info.frameRateFraction == "10/1" && info.frameRate == 10)
        #expect(info.frameCount == 795 && info.duration == 79.5)
    }

    @Test func refusesWhatIsNotAGoodVideoAndNamesWhy() async throws {
        let tools = try VideoFixtures.tools
        let folder = try TestEnvironment.temporaryDirectory("bad-videos")
        let clip = try await VideoFixtures.clip(seconds: 2, in: folder)
        let clipBytes = try Data(contentsOf: clip)

        func write(_ name: String, _ bytes: Data) throws -> String {
            let url = folder.appendingPathComponent(name)
            try bytes.write(to: url)
            return url.path
        }
        let text = try write("notes.mp4", Data("this is not a video at all\n".utf8))
        let empty = try write("empty.mp4", Data())
        let truncated = try write("truncated.mp4", clipBytes.prefix(clipBytes.count / 3))
        let image = try write("photo.mp4", Data(try TestEnvironment.sampleBytes("darknet_dog.jpg")))
        let huge = try await VideoFixtures.aviClaimingAHugePicture(in: folder).path

        let cases: [(String, VideoLimits, (VideoError) -> Bool)] = [
            (text, .default, { if case .notVideo = $0 { true } else { false } }),
            (empty, .default, { $0 == .empty }),
            (
                truncated, .default,
                {
                    if case .corrupt(let why) = $0 {
                        why.contains("moov atom not found") && !why.contains(folder.path)
                    } else {
                        false
                    }
                }
            ),
            (image, .default, { if case .notVideo = $0 { true } else { false } }),
            (huge, .default, { if case .corrupt(let why) = $0 { why.contains("100000x100000") } else { false } }),
            (
                clip.path, VideoLimits(maxDuration: 1),
                { if case .tooLarge(let why) = $0 { why.contains("2 s long") } else { false } }
            ),
            (
                clip.path, VideoLimits(maxWidth: 640, maxHeight: 480),
                { if case .tooLarge(let why) = $0 { why.contains("768×576") } else { false } }
            ),
            (
                clip.path, VideoLimits(maxBytes: 1000),
                { if case .tooLarge(let why) = $0 { why.contains("bytes") } else { false } }
            ),
        ]
        for (path, limits, expected) in cases {
            let outcome = try await BlockingWork.run { () -> VideoError? in
                do throws(VideoError) {
                    _ = try tools.probe(path: path, limits: limits)
                    return nil
                } catch {
                    return error
                }
            }
            let error = try #require(outcome, "\(path) was accepted")
            #expect(expected(error), "\((path as NSString).lastPathComponent): \(error)")
            #expect(error.isInputError)
        }
    }

    @Test func decodesEveryFrameRotatedAsShown() async throws {
        let tools = try VideoFixtures.tools
        let folder = try TestEnvironment.temporaryDirectory("rotated")
        let clip = try await VideoFixtures.clip(seconds: 1, in: folder)
        let rotated = folder.appendingPathComponent("rotated.mp4")
        try await VideoFixtures.ffmpeg(["-i", clip.path, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated.path])
        let (info, frames, size) = try await BlockingWork.run { () -> (VideoInfo, Int, [Int]) in
            let info = try tools.probe(path: rotated.path)
            let decoder = try VideoDecoder(tools: tools, path: rotated.path, info: info)
            var count = 0
            var size: [Int] = []
            while let frame = try decoder.nextFrame() {
                count += 1
                size = [frame.width, frame.height]
            }
            return (info, count, size)
        }
        // Debian's ffmpeg 5.1 stores the `rotate=90` tag as a display matrix that ffprobe reads
        // as 90° counter-clockwise (and that is how ffmpeg turns the frames): 270° clockwise.
        #expect(info.rotation == 270 && info.displayWidth == 576 && info.displayHeight == 768)
        #expect(frames == 10)
        #expect(size == [576, 768])
    }

    @Test func encodesBrowserPlayableH264AtTheExactFrameRate() async throws {
        let tools = try VideoFixtures.tools
        let folder = try TestEnvironment.temporaryDirectory("encode")
        let out = folder.appendingPathComponent("odd.mp4")
        try await BlockingWork.run {
            // An odd size (yuv420p needs even) at NTSC's 30000/1001.
            let encoder = try VideoEncoder(tools: tools, path: out.path, width: 101, height: 75, frameRate: "30000/1001")
            for shade in 0..<20 {
                try encoder.write(Image(bgr: [UInt8](repeating: UInt8(shade * 10), count: 101 * 75 * 3), width: 101, height: 75))
            }
            try encoder.finish()
        }
        let probe = try await VideoFixtures.ffprobe(out.path)
        let stream = try #require((probe["streams"] as? [[String: Any]])?.first)
        #expect(stream["codec_name"] as? String == "h264" && stream["pix_fmt"] as? String == "yuv420p")
        #expect(stream["nb_read_frames"] as? String == "20")
        #expect(stream["r_frame_rate"] as? String == "30000/1001")
        #expect(stream["width"] as? Int == 102 && stream["height"] as? Int == 76)
        // +faststart: the index (moov) comes before the media data (mdat).
        let bytes = [UInt8](try Data(contentsOf: out).prefix(4096))
        let moov = try #require((0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)] == ArraySlice("moov".utf8) })
        let mdat = (0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)] == ArraySlice("mdat".utf8) } ?? Int.max
        #expect(moov < mdat)
    }

    @Test func detectsTracksAnnotatesAndEncodesAClip() async throws {
        let tools = try VideoFixtures.tools
        let folder = try TestEnvironment.temporaryDirectory("pipeline")
        let clip = try await VideoFixtures.clip(seconds: 5, in: folder)
        let annotated = folder.appendingPathComponent("annotated.mp4")
        let detector = try TestEnvironment.detectors.detector(for: ModelCatalogue.defaultDetector)
        let (summary, log, frameCalls) = try await BlockingWork.run { () -> (VideoProcessingSummary, TrackLog, Int) in
            let info = try tools.probe(path: clip.path)
            let processor = VideoProcessor(
                tools: tools, detector: detector, options: VideoProcessingOptions(annotatedPath: annotated.path))
            var calls = 0
            let (summary, log) = try processor.run(path: clip.path, info: info, onFrame: { _, _ in calls += 1 })
            return (summary, log, calls)
        }
        #expect(summary.frames == 50 && summary.detectedFrames == 50 && frameCalls == 50)
        #expect(summary.sourceFrameRate == 10)
        let people = summary.uniqueTracks["person"] ?? 0
        #expect(people >= 3, "\(summary.uniqueTracks)")
        #expect(log.tracks.allSatisfy { $0.observations.map(\.frame) == $0.observations.map(\.frame).sorted() })

        let probe = try await VideoFixtures.ffprobe(annotated.path)
        let stream = try #require((probe["streams"] as? [[String: Any]])?.first)
        #expect(stream["codec_name"] as? String == "h264" && stream["pix_fmt"] as? String == "yuv420p")
        #expect(stream["nb_read_frames"] as? String == "50" && stream["r_frame_rate"] as? String == "10/1")
        let check = try await ArgusProcess.run(
            ["-v", "error", "-i", annotated.path, "-f", "null", "-"], program: URL(fileURLWithPath: tools.ffmpeg))
        #expect(check.status == 0 && check.stdout.isEmpty && check.stderr.isEmpty, "\(check.stderr)")
    }

    @Test func strideDetectsEveryNthFrameAndCancelStops() async throws {
        let tools = try VideoFixtures.tools
        let folder = try TestEnvironment.temporaryDirectory("stride")
        let clip = try await VideoFixtures.clip(seconds: 3, in: folder)
        let detector = try TestEnvironment.detectors.detector(for: ModelCatalogue.defaultDetector)
        let (summary, predicted) = try await BlockingWork.run { () -> (VideoProcessingSummary, Int) in
            let info = try tools.probe(path: clip.path)
            let processor = VideoProcessor(tools: tools, detector: detector, options: VideoProcessingOptions(stride: 3))
            var predicted = 0
            let (summary, _) = try processor.run(
                path: clip.path, info: info, onFrame: { _, objects in predicted += objects.filter(\.predicted).count })
            return (summary, predicted)
        }
        #expect(summary.frames == 30 && summary.detectedFrames == 10)
        #expect(predicted > 0)

        let cancelled = try await BlockingWork.run { () -> VideoError? in
            let info = try tools.probe(path: VideoFixtures.vtest.path)
            let processor = VideoProcessor(
                tools: tools, detector: detector,
                options: VideoProcessingOptions(annotatedPath: folder.appendingPathComponent("never.mp4").path))
            var frames = 0
            do throws(VideoError) {
                _ = try processor.run(
                    path: VideoFixtures.vtest.path, info: info, onFrame: { _, _ in frames += 1 },
                    isCancelled: { frames >= 5 })
                return nil
            } catch {
                return error
            }
        }
        #expect(cancelled == .cancelled)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("never.mp4").path))
    }

    /// Frames detected side by side are tracked in frame order: the tracks are those of one
    /// worker, box for box, with and without a stride.
    @Test func parallelDetectionTracksExactlyAsOneWorker() async throws {
        let tools = try VideoFixtures.tools
        let folder = try TestEnvironment.temporaryDirectory("parallel-detection")
        let clip = try await VideoFixtures.clip(seconds: 4, in: folder)
        let detector = try TestEnvironment.detectors.detector(for: ModelCatalogue.defaultDetector)
        func run(workers: Int, stride: Int) async throws -> (VideoProcessingSummary, [TrackLog.Track], [Int]) {
            try await BlockingWork.run {
                let info = try tools.probe(path: clip.path)
                let processor = VideoProcessor(
                    tools: tools, detector: detector,
                    options: VideoProcessingOptions(stride: stride, detectionWorkers: workers))
                var order: [Int] = []
                let (summary, log) = try processor.run(path: clip.path, info: info, onFrame: { frame, _ in order.append(frame) })
                return (summary, log.tracks, order)
            }
        }
        for stride in [1, 3] {
            let (one, oneTracks, oneOrder) = try await run(workers: 1, stride: stride)
            let (three, threeTracks, threeOrder) = try await run(workers: 3, stride: stride)
            #expect(oneOrder == Array(1...40) && threeOrder == oneOrder)
            #expect(three.detectedFrames == one.detectedFrames && three.uniqueTracks == one.uniqueTracks)
            #expect(threeTracks == oneTracks, "stride \(stride): the tracks differ")
            #expect(!oneTracks.isEmpty)
        }
    }
}
