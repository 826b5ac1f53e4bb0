import ArgusVision
import Foundation
import NIOCore
import Synchronization

/// The frames of a recorded live session, every JPEG kept as it arrived (dropped ones
/// too: they are the video) in one file under the video store's `incoming/`. When the
/// session ends they are encoded as an H.264 MP4 at the rate they came in and stored as a
/// video, whose `video.track` job then tracks it like an upload. Recording stops, the
/// session going on, at the video size and duration limits.
final class LiveRecording: Sendable {
    let videoId = UUID()
    private let path: String
    private let limits: VideoLimits
    private struct State {
        var handle: FileHandle?
        var frames = 0
        var bytes = 0
        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
        /// The first decoded frame's size: every frame is scaled to it.
        var size: (width: Int, height: Int)?
        var stopped: String?
    }
    private let state: Mutex<State>

    init(files: VideoFiles, limits: VideoLimits) throws {
        path = try files.incomingFile()
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw APIError(.internalServerError, code: "storage_failed", message: "the recording cannot be stored")
        }
        self.limits = limits
        state = Mutex(State(handle: handle))
    }

    /// Appends a frame; returns why recording stopped, once, when this frame passed a limit.
    func append(_ jpeg: ByteBuffer) -> String? {
        state.withLock { state -> String? in
            guard state.stopped == nil, let handle = state.handle else { return nil }
            let now = ContinuousClock.now
            let seconds = state.first.map { Self.seconds($0, now) } ?? 0
            var reason: String?
            if state.bytes + jpeg.readableBytes > limits.maxBytes {
                reason = "the recording reached the largest video accepted (\(limits.maxBytes) bytes)"
            } else if seconds > limits.maxDuration {
                reason = "the recording reached the longest video accepted (\(Int(limits.maxDuration)) s)"
            } else {
                do {
                    try handle.write(contentsOf: jpeg.readableBytesView)
                } catch {
                    reason = "the recording cannot be written: \(error)"
                }
            }
            if let reason {
                state.stopped = reason
                return reason
            }
            state.frames += 1
            state.bytes += jpeg.readableBytes
            state.first = state.first ?? now
            state.last = now
            return nil
        }
    }

    /// The size of a decoded frame; the first one sets the video's.
    func noteSize(width: Int, height: Int) {
        state.withLock { $0.size = $0.size ?? (width, height) }
    }

    /// The frames' file, the rate they came at and the video's size; nil (and the file
    /// removed) when nothing was recorded.
    func close() -> (path: String, frames: Int, frameRate: Double, width: Int, height: Int)? {
        let taken = state.withLock { state -> State in
            try? state.handle?.close()
            state.handle = nil
            return state
        }
        guard taken.frames > 0, let size = taken.size, let first = taken.first, let last = taken.last else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
        let elapsed = Self.seconds(first, last)
        let rate = taken.frames > 1 && elapsed > 0 ? Double(taken.frames - 1) / elapsed : LiveOptions.frameRate
        // A player's range; the tracker's lost buffer follows the rate.
        let frameRate = min(60, max(1, (rate * 1000).rounded() / 1000))
        return (path, taken.frames, frameRate, size.width, size.height)
    }

    private static func seconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> Double {
        let duration = from.duration(to: to)
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
