import ArgusCore
import ArgusTestSupport
import Foundation
import Testing

@testable import ArgusVision

/// Tiled detection on the 1927 Solvay photo: the default detector sees 2 or 3 of its 29
/// people whole, and most of them in tiles. The people are known by the reference's 29
/// faces (Golden/centerface): a person box finds a face whose centre lies in its upper
/// half, one box per face (bench/tiling_eval.py counts the same way).
@Suite struct TiledDetectionTests {
    static func peopleFound(_ detections: [Detection]) throws -> Int {
        let faces = try FaceDetectionTests.golden("scrfd_solvay_conference_1927").faces.map(\.box)
        var free = Array(faces.indices)
        var found = 0
        for person in detections.filter({ $0.label == "person" }).sorted(by: { $0.confidence > $1.confidence }) {
            let box = person.box
            guard
                let hit = free.firstIndex(where: { index in
                    let face = faces[index]
                    let (x, y) = ((face[0] + face[2]) / 2, (face[1] + face[3]) / 2)
                    return x >= box.x1 && x <= box.x2 && y >= box.y1 && y <= (box.y1 + box.y2) / 2
                        && face[2] - face[0] <= box.width
                })
            else { continue }
            free.remove(at: hit)
            found += 1
        }
        return found
    }

    @Test func tilesFindThePeopleTheWholeViewMisses() throws {
        let detector = try TestEnvironment.detectors.detector(for: "yolov3-tiny")
        let image = try Image.load(path: TestEnvironment.sampleImage("scrfd_solvay_conference_1927.jpg").path)
        let whole = try detector.detect(image).detections
        var options = DetectionOptions()
        options.tiling = .auto
        let tiled = try detector.detect(image, options: options).detections
        let (before, after) = (try Self.peopleFound(whole), try Self.peopleFound(tiled))
        #expect(before <= 4, "whole view: \(before) of 29")
        #expect(after >= 22, "tiled: \(after) of 29")
        // Every box lies in the image, and no two boxes of a class are the same object twice.
        #expect(tiled.allSatisfy { $0.box.x1 >= 0 && $0.box.y1 >= 0 && $0.box.x2 <= 3000 && $0.box.y2 <= 2171 })
        for (i, a) in tiled.enumerated() {
            for b in tiled[(i + 1)...] where a.classId == b.classId { #expect(a.box.iou(b.box) <= 0.45) }
        }
        // A small image is not tiled at all: the same answer as without tiling.
        let dog = try Image.load(path: TestEnvironment.sampleImage("darknet_dog.jpg").path)
        #expect(try detector.detect(dog, options: options).detections == (try detector.detect(dog).detections))
    }
}
