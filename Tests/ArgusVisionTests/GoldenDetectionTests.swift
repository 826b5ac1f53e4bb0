import ArgusCore
import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

/// Every decoder against its real model: Argus's detections must match the
/// independent Python reference's (bench/reference/argus_ref.py; see Golden/README.md).
@Suite struct GoldenDetectionTests {
    struct Golden: Decodable {
        struct Box: Decodable {
            let x1, y1, x2, y2: Float
        }
        struct Entry: Decodable {
            let label: String
            let class_id: Int
            let confidence: Float
            let bbox: Box
        }
        let file_name: String
        let width: Int
        let height: Int
        let detections: [Entry]
    }

    static let goldenRoot = TestEnvironment.repoRoot.appendingPathComponent("Tests/ArgusVisionTests/Golden")
    static let models = ["yolov3-tiny", "yolov3-tiny-decoded", "yolox-nano", "yolov8n-int8", "picodet-s", "nanodet-m"]

    /// Scores may differ by this much (JPEG decoders and resize code are not bit-identical
    /// between OpenCV builds).
    static let margin: Float = 0.02
    /// Goldens are made at conf 0.25: a detection within this of it may fall either side
    /// (a little wider than `margin`: the int8 YOLOv8 export amplifies tiny input changes).
    static let thresholdBand: Float = 0.03

    static var cases: [(String, String)] {
        models.flatMap { model in
            let files =
                (try? FileManager.default.contentsOfDirectory(atPath: goldenRoot.appendingPathComponent(model).path)) ?? []
            return files.filter { $0.hasSuffix(".json") }.sorted().map { (model, $0) }
        }
    }

    @Test func everyModelHasGoldens() {
        for model in Self.models {
            #expect(Self.cases.filter { $0.0 == model }.count >= 6, "goldens missing for \(model)")
        }
    }

    @Test(arguments: cases)
    func matchesTheReference(model: String, goldenFile: String) throws {
        let url = Self.goldenRoot.appendingPathComponent(model).appendingPathComponent(goldenFile)
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        let image = try Image.decode(try TestEnvironment.sampleBytes(golden.file_name))
        #expect(image.width == golden.width && image.height == golden.height)

        let detector = try TestEnvironment.detectors.detector(for: model)
        let found = try detector.detect(image).detections
        let expected = golden.detections.map {
            Detection(
                classId: $0.class_id, label: $0.label, confidence: $0.confidence,
                box: BoundingBox(x1: $0.bbox.x1, y1: $0.bbox.y1, x2: $0.bbox.x2, y2: $0.bbox.y2))
        }
        for wanted in expected where wanted.confidence >= 0.25 + Self.thresholdBand {
            #expect(
                found.contains { Self.matches($0, wanted) },
                "\(model)/\(golden.file_name): reference \(wanted.label) \(wanted.confidence) \(wanted.box) not found in \(found)"
            )
        }
        for got in found where got.confidence >= 0.25 + Self.thresholdBand {
            #expect(
                expected.contains { Self.matches(got, $0) },
                "\(model)/\(golden.file_name): \(got.label) \(got.confidence) \(got.box) is not in the reference")
        }
    }

    static func matches(_ a: Detection, _ b: Detection) -> Bool {
        a.classId == b.classId && a.box.iou(b.box) >= 0.9 && abs(a.confidence - b.confidence) <= margin
    }

    @Test func classFilterAndMaxDetectionsAreHonoured() throws {
        let detector = try TestEnvironment.detectors.detector(for: "yolox-nano")
        let image = try Image.decode(try TestEnvironment.sampleBytes("darknet_horses.jpg"))
        let all = try detector.detect(image, options: DetectionOptions(confidenceThreshold: 0.1)).detections
        #expect(all.count > 2)
        let horse = try #require(detector.manifest.labels.firstIndex(of: "horse"))
        let horses = try detector.detect(image, options: DetectionOptions(confidenceThreshold: 0.1, classFilter: [horse]))
            .detections
        #expect(!horses.isEmpty && horses.allSatisfy { $0.classId == horse })
        let top = try detector.detect(image, options: DetectionOptions(confidenceThreshold: 0.1, maxDetections: 2)).detections
        #expect(top.count == 2)
        #expect(top.map(\.confidence) == Array(all.map(\.confidence).prefix(2)))
    }

    @Test func boxesStayInsideTheImage() throws {
        let detector = try TestEnvironment.detectors.detector(for: "yolov3-tiny")
        let image = try Image.decode(try TestEnvironment.sampleBytes("darknet_giraffe.jpg"))
        let detections = try detector.detect(image, options: DetectionOptions(confidenceThreshold: 0.01)).detections
        #expect(!detections.isEmpty)
        for detection in detections {
            #expect(detection.box.x1 >= 0 && detection.box.y1 >= 0)
            #expect(detection.box.x2 <= Float(image.width) && detection.box.y2 <= Float(image.height))
        }
    }
}
