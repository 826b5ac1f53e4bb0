import ArgusTestSupport
import ArgusVision
import Crypto
import Foundation
import Testing

/// Argus decodes PNGs with libpng itself (so that a broken file's message reaches the
/// API's answer, not the server's stderr): the pixels must be OpenCV's, byte for byte,
/// in every colour type and depth. The goldens are `cv2.imdecode`'s, made by
/// `scripts/make_png_fixtures.py`.
@Suite struct PNGDecodingTests {
    static let folder = TestEnvironment.repoRoot.appendingPathComponent("Tests/ArgusVisionTests/Fixtures/png")

    struct Golden: Decodable {
        let width: Int
        let height: Int
        let sha256: String
    }

    @Test func everyColourTypeDecodesToOpenCVsPixels() throws {
        let goldens = try JSONDecoder().decode(
            [String: Golden].self, from: Data(contentsOf: Self.folder.appendingPathComponent("png-goldens.json")))
        #expect(goldens.count >= 8)
        for (name, golden) in goldens.sorted(by: { $0.key < $1.key }) {
            let bytes = try Array(Data(contentsOf: Self.folder.appendingPathComponent(name)))
            let image = try Image.decode(bytes, limits: ImageLimits(minWidth: 1, minHeight: 1))
            #expect(image.width == golden.width && image.height == golden.height, "\(name)")
            let digest = SHA256.hash(data: image.bgrPixels).map { String(format: "%02x", $0) }.joined()
            #expect(digest == golden.sha256, "\(name)")
        }
    }

    @Test func aBrokenPNGIsRefusedWithLibpngsReason() throws {
        var bytes = try Array(Data(contentsOf: Self.folder.appendingPathComponent("rgb8.png")))
        // Every row's filter byte lives in the compressed stream: flip bytes inside IDAT.
        let idat = try #require(bytes.indices.first { bytes[$0..<min($0 + 4, bytes.count)].elementsEqual("IDAT".utf8) })
        for offset in stride(from: idat + 10, to: min(idat + 200, bytes.count - 16), by: 7) { bytes[offset] ^= 0x5A }
        do {
            _ = try Image.decode(bytes, limits: ImageLimits(minWidth: 1, minHeight: 1))
            Issue.record("a damaged PNG decoded")
        } catch {
            #expect("\(error)".contains("PNG data is corrupt"), "\(error)")
        }
        let cut = try Array(Data(contentsOf: Self.folder.appendingPathComponent("rgb8.png"))).dropLast(40)
        do {
            _ = try Image.decode(Array(cut), limits: ImageLimits(minWidth: 1, minHeight: 1))
            Issue.record("a truncated PNG decoded")
        } catch {
            #expect("\(error)".contains("truncated"), "\(error)")
        }
    }
}
