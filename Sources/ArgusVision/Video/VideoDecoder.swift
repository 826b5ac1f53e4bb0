import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Decodes a video's frames through ffmpeg, streamed as raw BGR over a pipe: no frame
/// touches the disk. Rotation is applied (frames come out as shown). Blocking: read it
/// from a thread of its own.
public final class VideoDecoder: @unchecked Sendable {
    public let width: Int
    public let height: Int
    private let process = Process()
    private let output = Pipe()
    private let errors = StderrFile()
    private let path: String
    private var finished = false
    /// Frames handed out so far.
    public private(set) var framesRead = 0

    public init(tools: VideoTools, path: String, info: VideoInfo) throws(VideoError) {
        self.path = path
        width = info.displayWidth
        height = info.displayHeight
        process.executableURL = URL(fileURLWithPath: tools.ffmpeg)
        // -vsync passthrough: every decoded frame once, none duplicated or dropped, so the
        // frame numbers are the file's.
        process.arguments = [
            "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-vsync", "passthrough", "-f", "rawvideo",
            "-pix_fmt", "bgr24", "pipe:1",
        ]
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        do {
            process.standardError = try errors.handle()
            try process.run()
        } catch {
            throw .toolMissing("ffmpeg")
        }
    }

    deinit {
        close()
        errors.remove()
    }

    /// The next frame, or nil at the end. A decoding error ends the video with `.corrupt`.
    public func nextFrame() throws(VideoError) -> Image? {
        guard !finished else { return nil }
        let frameBytes = width * height * 3
        var pixels = [UInt8](repeating: 0, count: frameBytes)
        let filled = pixels.withUnsafeMutableBytes { buffer in
            Self.readFully(output.fileHandleForReading.fileDescriptor, into: buffer)
        }
        if filled == frameBytes {
            framesRead += 1
            return Image(bgr: pixels, width: width, height: height)
        }
        finished = true
        process.waitUntilExit()
        if process.terminationStatus != 0 || filled != 0 {
            throw .corrupt(errors.summary(hiding: path, fallback: "decoding stopped after \(framesRead) frames"))
        }
        return nil
    }

    /// Stops ffmpeg if it is still running (a cancelled job, an error downstream). SIGKILL,
    /// not SIGTERM: ffmpeg blocked writing a full pipe that no one reads any more restarts
    /// the write after SIGTERM's handler and never exits.
    public func close() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        finished = true
    }

    /// Reads until the buffer is full or the pipe ends; returns the bytes read.
    static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count > 0 {
                filled += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return filled
    }
}
