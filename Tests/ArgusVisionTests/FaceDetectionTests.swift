import ArgusCore
import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

/// CenterFace against the independent Python pipeline's goldens, the 1927 Solvay photo's
/// 29 faces, and redaction that leaves nothing a detector can find.
@Suite struct FaceDetectionTests {
    static let detector: FaceDetector = {
        do {
            return try FaceDetector(
                modelPath: TestEnvironment.repoRoot.appendingPathComponent("models/centerface.onnx").path,
                runtime: TestEnvironment.runtime, options: SessionOptions(intraOpThreads: 1))
        } catch {
            fatalError("CenterFace is not installed (run make setup): \(error)")
        }
    }()

    /// The Solvay photo and its faces at a threshold of 0.3, found once for every test:
    /// each full-size run costs about 2 s of CPU, and the suite shares 2 cores.
    static let solvay: (image: Image, weak: [Face]) = {
        do {
            let image = try Image.load(path: TestEnvironment.sampleImage("scrfd_solvay_conference_1927.jpg").path)
            return (image, try detector.detect(image, options: FaceOptions(confidenceThreshold: 0.3)).faces)
        } catch {
            fatalError("cannot read the Solvay photo: \(error)")
        }
    }()
    static var solvayFaces: [Face] { solvay.weak.filter { $0.confidence > FaceOptions.defaultConfidence } }

    struct Golden: Decodable {
        struct Entry: Decodable {
            let confidence: Float
            let box: [Float]
            let landmarks: [[Float]]
        }
        let faces: [Entry]
    }

    static func golden(_ stem: String) throws -> Golden {
        let url = TestEnvironment.repoRoot.appendingPathComponent("Tests/ArgusVisionTests/Golden/centerface/\(stem).json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    @Test(arguments: ["scrfd_solvay_conference_1927.jpg", "opencv_messi5.jpg", "skimage_astronaut.png"])
    func facesEqualTheReferencePipeline(_ name: String) throws {
        let faces =
            name.hasPrefix("scrfd_solvay")
            ? Self.solvayFaces : try Self.detector.detect(try Image.load(path: TestEnvironment.sampleImage(name).path)).faces
        let golden = try Self.golden((name as NSString).deletingPathExtension)
        #expect(faces.count == golden.faces.count, "\(faces.count) faces, the reference \(golden.faces.count)")
        for expected in golden.faces {
            let box = BoundingBox(x1: expected.box[0], y1: expected.box[1], x2: expected.box[2], y2: expected.box[3])
            let match = faces.max { $0.box.iou(box) < $1.box.iou(box) }
            guard let match else { continue }
            #expect(match.box.iou(box) > 0.95, "\(match.box) vs the reference \(box)")
            #expect(abs(match.confidence - expected.confidence) < 0.01)
            for (point, reference) in zip(match.landmarks, expected.landmarks) {
                #expect(abs(point.x - reference[0]) < 2 && abs(point.y - reference[1]) < 2)
            }
        }
    }

    @Test func allTwentyNineFacesOfTheSolvayPhotoAndNothingElse() throws {
        let faces = Self.solvayFaces
        #expect(faces.count == 29)
        // Faces of a seated group: each box about as tall as wide, none inside another.
        for face in faces {
            #expect(face.box.width > 20 && face.box.height / face.box.width < 2 && face.box.width / face.box.height < 2)
            #expect(faces.allSatisfy { $0 == face || $0.box.iou(face.box) < 0.1 })
        }
        // The default threshold is far from both sides: the weakest face and the strongest non-face.
        #expect(faces.map(\.confidence).min() ?? 0 > 0.7)
        #expect(Self.solvay.weak.filter { $0.confidence <= FaceOptions.defaultConfidence }.allSatisfy { $0.confidence < 0.4 })
    }

    @Test(arguments: RedactionMethod.allCases)
    func redactedFacesCannotBeFoundAgain(_ method: RedactionMethod) throws {
        let faces = Self.solvayFaces
        let hidden = try Self.solvay.image.redacted(faces.map(\.box), method: method, margin: 0.2)
        // One run at 0.3: nothing at the default threshold, and not even a weak trace where
        // a face was (0.3 finds one weak spot elsewhere in the photo, on the original too).
        let again = try Self.detector.detect(hidden, options: FaceOptions(confidenceThreshold: 0.3)).faces
        #expect(!again.contains { $0.confidence > FaceOptions.defaultConfidence }, "\(method): faces left")
        let traces = again.filter { trace in faces.contains { $0.box.iou(trace.box) > 0 } }
        #expect(traces.isEmpty, "\(method): \(traces.count) traces: \(traces.map(\.confidence))")
    }

    @Test func smallFacesOfALargePhotoAreFound() throws {
        // The Solvay photo at a fifth of its size: its faces are about 15 pixels wide.
        let image = Self.solvay.image
        let small = try image.resized(width: image.width / 5, height: image.height / 5)
        let faces = try Self.detector.detect(small, options: FaceOptions(confidenceThreshold: 0.3)).faces
        #expect(faces.count >= 25, "\(faces.count) of 29 faces at about 15 px")
    }
}
