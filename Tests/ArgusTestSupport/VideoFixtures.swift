import ArgusVision
import Foundation

/// Videos for the tests, cut or made with ffmpeg (installed by scripts/setup-system.sh)
/// from the shared vtest.avi (768×576, 10 fps, 795 frames, DivX 3).
public enum VideoFixtures {
    public static let vtest = TestEnvironment.shared.appendingPathComponent("datasets/samples/video/vtest.avi")

    public static var tools: VideoTools {
        get throws { try VideoTools.locate() }
    }

    /// Runs ffmpeg with `arguments` (after `-v error -nostdin -y`), off the cooperative threads.
    public static func ffmpeg(_ arguments: [String]) async throws {
        let outcome = try await ArgusProcess.run(
            ["-v", "error", "-nostdin", "-y"] + arguments, program: URL(fileURLWithPath: try tools.ffmpeg))
        guard outcome.status == 0 else { throw FixtureError(message: "ffmpeg \(arguments): \(outcome.stderr)") }
    }

    /// ffprobe's JSON for the first video stream and the format.
    public static func ffprobe(_ path: String) async throws -> [String: Any] {
        let outcome = try await ArgusProcess.run(
            [
                "-v", "error", "-count_frames", "-print_format", "json", "-show_streams", "-show_format", "-select_streams",
                "v:0", path,
            ], program: URL(fileURLWithPath: try tools.ffprobe))
        guard outcome.status == 0, let json = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        else { throw FixtureError(message: "ffprobe \(path): \(outcome.stderr)") }
        return json
    }

    /// The first `seconds` of vtest.avi as an H.264 MP4 (10 frames a second).
    public static func clip(seconds: Int, in folder: URL, name: String = "clip.mp4") async throws -> URL {
        let url = folder.appendingPathComponent(name)
        try await ffmpeg([
            "-i", vtest.path, "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", url.path,
        ])
        return url
    }

    /// A second of vtest.avi whose AVI headers claim 100000×100000 pixels.
    public static func aviClaimingAHugePicture(in folder: URL) async throws -> URL {
        let small = folder.appendingPathComponent("small.avi")
        try await ffmpeg(["-i", vtest.path, "-t", "1", "-c", "copy", small.path])
        var avi = [UInt8](try Data(contentsOf: small))
        func patch(after tag: String, offset: Int, values: [UInt32]) throws {
            let marker = Array(tag.utf8)
            guard let start = (0..<(avi.count - 4)).first(where: { Array(avi[$0..<($0 + 4)]) == marker }) else {
                throw FixtureError(message: "no \(tag) in \(small.path)")
            }
            for (index, value) in values.enumerated() {
                for byte in 0..<4 { avi[start + offset + index * 4 + byte] = UInt8((value >> (8 * UInt32(byte))) & 0xFF) }
            }
        }
        try patch(after: "avih", offset: 40, values: [100_000, 100_000])
        try patch(after: "strf", offset: 12, values: [100_000, 100_000])
        let huge = folder.appendingPathComponent("huge.avi")
        try Data(avi).write(to: huge)
        return huge
    }

    public struct FixtureError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
