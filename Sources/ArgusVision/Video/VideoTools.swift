import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The ffmpeg and ffprobe executables (Debian's package, installed by
/// scripts/setup-system.sh): `ARGUS_FFMPEG` / `ARGUS_FFPROBE`, else the first on `PATH`.
/// Everything here blocks: call it from a thread of its own, never from Swift's
/// cooperative pool.
public struct VideoTools: Sendable {
    public let ffmpeg: String
    public let ffprobe: String

    public init(ffmpeg: String, ffprobe: String) {
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
    }

    /// Finds both tools, or says which is missing.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(VideoError)
        -> VideoTools
    {
        func find(_ name: String, override: String) throws(VideoError) -> String {
            if let path = environment[override], !path.isEmpty {
                guard FileManager.default.isExecutableFile(atPath: path) else { throw .toolMissing("\(name) at \(path)") }
                return path
            }
            for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
            throw .toolMissing(name)
        }
        return VideoTools(
            ffmpeg: try find("ffmpeg", override: "ARGUS_FFMPEG"), ffprobe: try find("ffprobe", override: "ARGUS_FFPROBE"))
    }

    /// Probes a file: container sniffed first (no process for a non-video), then ffprobe,
    /// then a check that the first frame decodes (a truncated or corrupt file is caught
    /// here, not halfway through a job).
    public func probe(path: String, limits: VideoLimits = .default) throws(VideoError) -> VideoInfo {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .notVideo("the file cannot be read") }
        let prefix = [UInt8]((try? handle.read(upToCount: 16)) ?? Data())
        let size = (try? handle.seekToEnd()).map(Int.init)
        try? handle.close()
        if prefix.isEmpty { throw .empty }
        guard VideoContainer.sniff(prefix) != nil else { throw .notVideo("unrecognised file type") }
        if let size, size > limits.maxBytes { throw .tooLarge("\(size) bytes; the largest accepted is \(limits.maxBytes)") }

        let probe = try ChildProcess.run(
            ffprobe,
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-select_streams", "v:0", path],
            timeout: 60, hiding: path)
        guard probe.status == 0 else { throw .corrupt(probe.errorSummary("ffprobe cannot read it")) }
        let info: VideoInfo
        do {
            info = try VideoInfo.parse(ffprobeJSON: probe.stdout)
        } catch .corrupt(let detail) where !probe.stderrSummary.isEmpty {
            // ffprobe's own words name the problem ("Picture size 100000x100000 is invalid").
            throw .corrupt("\(detail) (ffprobe: \(probe.stderrSummary))")
        }
        if let problem = limits.problem(with: info, bytes: size) { throw problem }

        let first = try ChildProcess.run(
            ffmpeg, ["-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-"],
            timeout: 60, hiding: path)
        guard first.status == 0, first.stderr.isEmpty else {
            throw .corrupt(first.errorSummary("its first frame does not decode"))
        }
        return info
    }
}

extension VideoTools {
    /// Writes one frame of `path`, `seconds` in, as a JPEG whose longer side is `size`
    /// pixels (never upscaled), to `output`.
    public func thumbnail(of path: String, at seconds: Double, size: Int, to output: String) throws(VideoError) {
        let scale = "scale='min(\(size),iw)':'min(\(size),ih)':force_original_aspect_ratio=decrease"
        let outcome = try ChildProcess.run(
            ffmpeg,
            [
                "-v", "error", "-nostdin", "-y", "-ss", String(format: "%.3f", max(0, seconds)), "-i", path, "-map", "0:v:0",
                "-frames:v", "1", "-vf", scale, "-q:v", "4", "-f", "image2", output,
            ], timeout: 60, hiding: path)
        guard outcome.status == 0, FileManager.default.fileExists(atPath: output) else {
            throw .corrupt(outcome.errorSummary("no frame could be taken from it"))
        }
    }
}

/// A child process run to completion with its output captured.
struct ChildProcess {
    struct Outcome {
        var status: Int32
        var stdout: Data
        var stderr: String
        var stderrSummary: String

        func errorSummary(_ fallback: String) -> String { stderrSummary.isEmpty ? fallback : stderrSummary }
    }

    /// `hiding`: a path kept out of the stderr summary (see StderrFile.summary).
    static func run(
        _ executable: String, _ arguments: [String], timeout: TimeInterval, hiding path: String? = nil
    ) throws(VideoError) -> Outcome {
        let errors = StderrFile()
        defer { errors.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        do {
            process.standardError = try errors.handle()
            try process.run()
        } catch {
            throw .toolMissing((executable as NSString).lastPathComponent)
        }
        let deadline = DispatchTime.now() + timeout
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: deadline, execute: watchdog)
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        if process.terminationReason == .uncaughtSignal {
            throw .toolFailed("\((executable as NSString).lastPathComponent) took longer than \(Int(timeout)) s")
        }
        return Outcome(
            status: process.terminationStatus, stdout: stdout, stderr: errors.text,
            stderrSummary: errors.summary(lines: 3, hiding: path, fallback: ""))
    }
}

extension VideoTools {
    /// Encodes concatenated JPEG images (the frames of a live session, as they arrived) as
    /// an H.264 MP4 at `frameRate`, every frame scaled to `width`×`height` (a client may
    /// change its camera's size mid-session).
    public func encodeJPEGSequence(
        from path: String, frameRate: Double, width: Int, height: Int, to output: String
    ) throws(VideoError) {
        // H.264 in yuv420p wants even sides.
        let (evenWidth, evenHeight) = (max(2, width & ~1), max(2, height & ~1))
        let outcome = try ChildProcess.run(
            ffmpeg,
            [
                "-v", "error", "-nostdin", "-y", "-f", "image2pipe", "-c:v", "mjpeg",
                "-framerate", String(format: "%.3f", frameRate), "-i", path, "-vf",
                "scale=\(evenWidth):\(evenHeight),format=yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
                "-threads", "1", "-movflags", "+faststart", "-f", "mp4", output,
            ], timeout: 3600, hiding: path)
        guard outcome.status == 0, FileManager.default.fileExists(atPath: output) else {
            throw .toolFailed(outcome.errorSummary("ffmpeg could not encode the frames"))
        }
    }
}
