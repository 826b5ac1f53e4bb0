import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

@Suite struct FacesCommandTests {
    @Test func findsTheFacesAndWritesTheRedactedImage() async throws {
        let out = try TestEnvironment.temporaryDirectory("redacted")
        let solvay = TestEnvironment.sampleImage("scrfd_solvay_conference_1927.jpg").path
        let outcome = try await ArgusProcess.run(["faces", "--redact", out.path, "--method", "pixelate", solvay])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let line = try #require(
            JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.stdout)")
        #expect((line["faces"] as? [[String: Any]])?.count == 29)
        let written = out.appendingPathComponent("scrfd_solvay_conference_1927.png").path
        let hidden = try Image.load(path: written)
        #expect(try TestEnvironment.faces.detector().detect(hidden).faces.isEmpty)

        let missing = try await ArgusProcess.run(["faces", "/no/such/file.jpg"])
        #expect(missing.status == 1 && missing.stderr.contains("no such file"))
        let bad = try await ArgusProcess.run(["faces", "--method", "smudge", solvay])
        #expect(bad.status != 0 && bad.stderr.contains("method"))
    }
}
