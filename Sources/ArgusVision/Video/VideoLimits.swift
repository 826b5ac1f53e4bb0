/// What a video may be, checked against the probe before any frame is decoded.
public struct VideoLimits: Sendable, Hashable {
    public var maxBytes: Int
    public var maxDuration: Double
    public var maxWidth: Int
    public var maxHeight: Int
    public var maxFrames: Int

    public init(
        maxBytes: Int = 2 << 30, maxDuration: Double = 3600, maxWidth: Int = 3840, maxHeight: Int = 2160,
        maxFrames: Int = 216_000
    ) {
        self.maxBytes = maxBytes
        self.maxDuration = maxDuration
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxFrames = maxFrames
    }

    public static let `default` = VideoLimits()

    /// Why `info` breaks these limits, or nil. A rotated video is measured as shown.
    public func problem(with info: VideoInfo, bytes: Int?) -> VideoError? {
        if let bytes, bytes > maxBytes { return .tooLarge("\(bytes) bytes; the largest accepted is \(maxBytes)") }
        let (width, height) = (info.displayWidth, info.displayHeight)
        // Either orientation fits: a portrait phone video is as welcome as a landscape one.
        let fits = (width <= maxWidth && height <= maxHeight) || (width <= maxHeight && height <= maxWidth)
        if !fits {
            return .tooLarge("\(width)×\(height) pixels; the largest accepted is \(maxWidth)×\(maxHeight)")
        }
        if let duration = info.duration, duration > maxDuration {
            return .tooLarge("\(formatted(duration)) s long; the longest accepted is \(formatted(maxDuration)) s")
        }
        if let frames = info.frameCount, frames > maxFrames {
            return .tooLarge("\(frames) frames; the most accepted is \(maxFrames)")
        }
        return nil
    }

    private func formatted(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
