import ArgusTestSupport
import Foundation
import Testing

@Suite struct DetectCommandTests {
    /// A folder with two good images and one that is not an image.
    func imageFolder() throws -> URL {
        let folder = try TestEnvironment.temporaryDirectory("images")
        try FileManager.default.copyItem(
            at: TestEnvironment.sampleImage("darknet_dog.jpg"), to: folder.appendingPathComponent("dog.jpg"))
        try FileManager.default.copyItem(
            at: TestEnvironment.shared.appendingPathComponent("datasets/coco128/train2017/000000000049.jpg"),
            to: folder.appendingPathComponent("000000000049.jpg"))
        try Data("not really a jpeg".utf8).write(to: folder.appendingPathComponent("broken.jpg"))
        return folder
    }

    @Test func cocoFormatCoversAFolderAndReportsTheBadFile() async throws {
        let folder = try imageFolder()
        let outcome = try await ArgusProcess.run(["detect", "--format", "coco", "--conf", "0.05", folder.path])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("broken.jpg"))
        let results = try #require(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]])
        let dog = try #require(results.first { $0["file_name"] as? String == "dog.jpg" && $0["category_id"] as? Int == 18 })
        #expect((dog["bbox"] as? [Double])?.count == 4)
        #expect(results.contains { $0["image_id"] as? Int == 49 })
        #expect(!results.contains { ($0["file_name"] as? String) == "broken.jpg" })
    }

    @Test func jsonlCsvAndJsonFormats() async throws {
        let dog = TestEnvironment.sampleImage("darknet_dog.jpg").path
        let horses = TestEnvironment.sampleImage("darknet_horses.jpg").path
        let jsonl = try await ArgusProcess.run(["detect", "--format", "jsonl", dog, horses])
        #expect(jsonl.status == 0)
        let lines = jsonl.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })

        let csv = try await ArgusProcess.run(["detect", "--format", "csv", "--classes", "dog", dog])
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.first == "file,label,class_id,confidence,x1,y1,x2,y2")
        #expect(rows.count == 2 && rows[1].contains(",dog,16,"))

        let json = try await ArgusProcess.run(["detect", "--model", "yolox-nano", "--conf", "0.5", "--max-det", "2", dog])
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let detections = try #require(parsed.first?["detections"] as? [[String: Any]])
        #expect(parsed.first?["model"] as? String == "yolox-nano")
        #expect((1...2).contains(detections.count))
        #expect(detections.allSatisfy { ($0["confidence"] as? Double ?? 0) >= 0.5 })
    }

    @Test func annotateWritesDecodableJPEGs() async throws {
        let out = try TestEnvironment.temporaryDirectory("annotated")
        let outcome = try await ArgusProcess.run([
            "detect", "--annotate", out.path, TestEnvironment.sampleImage("darknet_dog.jpg").path,
        ])
        #expect(outcome.status == 0)
        let bytes = try Data(contentsOf: out.appendingPathComponent("darknet_dog.jpg"))
        #expect(bytes.starts(with: [0xFF, 0xD8, 0xFF]))
    }

    @Test func badArgumentsAndMissingPathsFailClearly() async throws {
        let dog = TestEnvironment.sampleImage("darknet_dog.jpg").path
        let conf = try await ArgusProcess.run(["detect", "--conf", "7", dog])
        #expect(conf.status != 0 && conf.stderr.contains("--conf"))
        let model = try await ArgusProcess.run(["detect", "--model", "nope", dog])
        #expect(model.status != 0 && model.stderr.contains("unknown model 'nope'"))
        let missing = try await ArgusProcess.run(["detect", "/no/such/file.jpg", dog])
        #expect(missing.status == 1 && missing.stderr.contains("/no/such/file.jpg"))
        #expect(missing.stdout.contains("\"dog\""))
    }
}
