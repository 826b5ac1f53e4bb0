import ArgusFuzzTargets
import ArgusTestSupport
import Foundation
import Testing

/// Every input checked in under `Fuzz/corpus/<target>/` (the seeds and every input a
/// fuzzer ever found) through its target, in the ordinary build: a regression of a
/// fixed crash or broken invariant fails here, without libFuzzer.
@Suite struct CorpusReplayTests {
    static let corpus = TestEnvironment.repoRoot.appendingPathComponent("Fuzz/corpus")

    @Test(arguments: FuzzTarget.allCases)
    func everyCheckedInInputPasses(_ target: FuzzTarget) throws {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!names.isEmpty, "no corpus for \(target.rawValue)")
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(throws: Never.self, "\(target.rawValue)/\(name)") { try target.run(bytes) }
        }
    }
}
