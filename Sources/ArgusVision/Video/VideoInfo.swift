import Foundation

/// What ffprobe says of a video's first video stream.
public struct VideoInfo: Sendable, Hashable, Codable {
    /// ffprobe's format name (`mov,mp4,m4a,3gp,3g2,mj2`, `avi`, `matroska,webm`).
    public var container: String
    public var codec: String
    /// Coded size, before rotation.
    public var width: Int
    public var height: Int
    /// Degrees clockwise the player turns the picture (0, 90, 180, 270).
    public var rotation: Int
    /// Frames per second as a fraction (`30000/1001`), for the encoder, and as a number.
    public var frameRateFraction: String
    public var frameRate: Double
    public var duration: Double?
    /// From the container when it says (AVI, most MP4), else estimated from the duration.
    public var frameCount: Int?
    public var pixelFormat: String?

    /// The size as shown, which is the size of the decoded frames (ffmpeg applies the rotation).
    public var displayWidth: Int { rotation % 180 == 0 ? width : height }
    public var displayHeight: Int { rotation % 180 == 0 ? height : width }

    enum CodingKeys: String, CodingKey {
        case container, codec, width, height, rotation
        case frameRateFraction = "frame_rate_fraction"
        case frameRate = "fps"
        case duration
        case frameCount = "frame_count"
        case pixelFormat = "pixel_format"
    }

    /// Reads `ffprobe -print_format json -show_format -show_streams` output.
    public static func parse(ffprobeJSON data: Data) throws(VideoError) -> VideoInfo {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .corrupt("ffprobe gave no answer")
        }
        let format = root["format"] as? [String: Any] ?? [:]
        let streams = root["streams"] as? [[String: Any]] ?? []
        guard let stream = streams.first(where: { $0["codec_type"] as? String == "video" }) else {
            throw .notVideo("no video stream")
        }
        guard let width = stream["width"] as? Int, let height = stream["height"] as? Int, width > 0, height > 0 else {
            throw .corrupt("the video stream has no picture size")
        }
        let fraction =
            [stream["avg_frame_rate"], stream["r_frame_rate"]].compactMap { $0 as? String }
            .first { rate(of: $0) != nil } ?? ""
        guard let frameRate = rate(of: fraction), frameRate <= 1000 else {
            throw .corrupt("the video stream has no frame rate")
        }
        let duration = [stream["duration"], format["duration"]].compactMap { ($0 as? String).flatMap(Double.init) }
            .first { $0.isFinite && $0 > 0 }
        var frameCount = (stream["nb_frames"] as? String).flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        if frameCount == nil, let duration { frameCount = Int((duration * frameRate).rounded()) }
        return VideoInfo(
            container: format["format_name"] as? String ?? "unknown", codec: stream["codec_name"] as? String ?? "unknown",
            width: width, height: height, rotation: rotation(of: stream), frameRateFraction: fraction,
            frameRate: frameRate, duration: duration, frameCount: frameCount, pixelFormat: stream["pix_fmt"] as? String)
    }

    /// "30000/1001" → 29.97; nil for "0/0" and the like.
    static func rate(of fraction: String) -> Double? {
        let parts = fraction.split(separator: "/").compactMap { Double($0) }
        guard parts.count == 2, parts[1] > 0, parts[0] > 0 else { return nil }
        let value = parts[0] / parts[1]
        return value.isFinite ? value : nil
    }

    /// The display-matrix rotation (side data, counter-clockwise in ffprobe) or the older
    /// `rotate` tag (clockwise), as clockwise degrees in 0..<360.
    private static func rotation(of stream: [String: Any]) -> Int {
        var degrees = 0
        if let sideData = stream["side_data_list"] as? [[String: Any]],
            let matrix = sideData.first(where: { $0["rotation"] != nil }),
            let value = (matrix["rotation"] as? NSNumber)?.doubleValue
        {
            degrees = -Int(value.rounded())
        } else if let tags = stream["tags"] as? [String: Any], let tag = tags["rotate"] as? String, let value = Int(tag) {
            degrees = value
        }
        let normalised = ((degrees % 360) + 360) % 360
        return (normalised / 90) * 90
    }
}
