import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Encodes frames to an H.264 MP4 that browsers play: yuv420p, `+faststart` (the index
/// first, so playback starts before the download ends), at the source's exact frame rate.
/// Frames go to ffmpeg as raw BGR over a pipe. Blocking: write from a thread of its own.
public final class VideoEncoder: @unchecked Sendable {
    public let width: Int
    public let height: Int
    private let process = Process()
    private let input = Pipe()
    private let errors = StderrFile()
    private var closed = false
    public private(set) var framesWritten = 0

    /// `frameRate` is a fraction ("30000/1001") or a number.
    public init(
        tools: VideoTools, path: String, width: Int, height: Int, frameRate: String, preset: String = "veryfast",
        crf: Int = 23
    ) throws(VideoError) {
        self.width = width
        self.height = height
        // A write to a pipe whose reader died must fail with EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        var arguments = [
            "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", "\(width)x\(height)",
            "-framerate", frameRate, "-i", "pipe:0",
        ]
        // yuv420p halves the chroma both ways: odd sizes get one padding row or column.
        if width % 2 != 0 || height % 2 != 0 { arguments += ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"] }
        arguments += [
            "-c:v", "libx264", "-preset", preset, "-crf", String(crf), "-pix_fmt", "yuv420p", "-movflags", "+faststart",
            "-f", "mp4", path,
        ]
        process.executableURL = URL(fileURLWithPath: tools.ffmpeg)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        do {
            process.standardError = try errors.handle()
            try process.run()
        } catch {
            throw .toolMissing("ffmpeg")
        }
    }

    deinit {
        if !closed {
            try? input.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
        }
        errors.remove()
    }

    public func write(_ image: Image) throws(VideoError) {
        precondition(image.width == width && image.height == height, "frame size changed")
        let pixels = image.bgrPixels
        let descriptor = input.fileHandleForWriting.fileDescriptor
        let written = pixels.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
        guard written else { throw .toolFailed("the encoder stopped: \(errorText())") }
        framesWritten += 1
    }

    /// Ends the stream and waits for the file to be complete.
    public func finish() throws(VideoError) {
        guard !closed else { return }
        closed = true
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw .toolFailed("the encoder failed: \(errorText())") }
    }

    private func errorText() -> String { errors.summary(fallback: "ffmpeg exited") }
}
