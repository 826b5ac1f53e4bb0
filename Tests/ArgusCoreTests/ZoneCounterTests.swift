import ArgusCore
import Foundation
import Testing

/// Line crossings and polygon entries, worked out by hand on tracks whose anchor point
/// (the middle of the box's bottom edge) follows a given path.
@Suite struct ZoneCounterTests {
    /// A 20×40 box standing on `(x, y)`.
    private func object(_ id: Int, _ x: Float, _ y: Float, label: String = "person") -> TrackedObject {
        TrackedObject(
            trackId: id, classId: label == "person" ? 0 : 2, label: label, confidence: 0.9,
            box: BoundingBox(x1: x - 10, y1: y - 40, x2: x + 10, y2: y), detectionIndex: 0, predicted: false)
    }

    private func run(_ zones: [CountingZone], frameRate: Double = 10, _ frames: [[TrackedObject]]) -> [ZoneSummary] {
        var counter = ZoneCounter(zones: zones, frameRate: frameRate)
        for objects in frames { counter.update(objects) }
        return counter.summary
    }

    /// A horizontal line drawn left to right at y = 100: below it is its right-hand side.
    private let door = CountingZone(
        name: "door", shape: .line(Point(x: 0, y: 100), Point(x: 200, y: 100)), margin: 10)

    @Test func countsEachRealCrossingOnceInItsDirection() {
        let down = stride(from: Float(40), through: 160, by: 10).map { [object(1, 100, $0)] }
        let up = stride(from: Float(160), through: 40, by: -10).map { [object(1, 100, $0)] }
        let summary = run([door], down + up + down)
        #expect(summary[0].crossedIn == ["person": 2] && summary[0].crossedOut == ["person": 1])
        #expect(summary[0].caption == "door: in 2, out 1")
    }

    @Test func jitterOnTheLineNeverCountsButOneCrossingDoes() {
        // 100 frames flickering ±8 px about the line (within the 10 px margin), then across.
        let frames = [[object(1, 100, 80)]] + (0..<100).map { [object(1, 100, $0 % 2 == 0 ? 92 : 108)] }
        #expect(run([door], frames)[0].crossedIn == [:])
        // The first clear side is above (80); the flicker never leaves the margin; 130 is below.
        #expect(run([door], frames + [[object(1, 100, 130)]])[0].crossedIn == ["person": 1])
        var loose = door
        loose.margin = 0
        #expect((run([loose], frames)[0].crossedIn?["person"] ?? 0) > 40, "without a margin the flicker counts")
    }

    @Test func appearingOnASidePassingBeyondTheEndsOrAnotherClassIsNotCounted() {
        let bornBelow = [[object(1, 100, 150)], [object(1, 100, 160)]]
        let aroundTheEnd = stride(from: Float(40), through: 160, by: 20).map { [object(2, 300, $0)] }
        let car = stride(from: Float(40), through: 160, by: 20).map { [object(3, 100, $0, label: "car")] }
        var people = door
        people.classes = ["person"]
        let summary = run([people], bornBelow + aroundTheEnd + car)
        #expect(summary[0].crossedIn == [:] && summary[0].crossedOut == [:])
        // Without the filter the car counts, under its own label.
        #expect(run([door], car)[0].crossedIn == ["car": 1])
    }

    @Test func polygonsCountEntriesAndTimeInside() {
        let shop = CountingZone(
            name: "shop",
            shape: .polygon([Point(x: 100, y: 100), Point(x: 300, y: 100), Point(x: 300, y: 300), Point(x: 100, y: 300)]),
            margin: 5)
        // Track 1 walks in from the left at 20 px a frame along y = 200, stays 10 frames, leaves.
        var frames: [[TrackedObject]] = []
        for x in stride(from: Float(40), through: 200, by: 20) { frames.append([object(1, x, 200)]) }
        frames += Array(repeating: [object(1, 200, 200)], count: 10)
        for x in stride(from: Float(200), through: 400, by: 20) { frames.append([object(1, x, 200)]) }
        // Track 2 is born inside and is still there at the end.
        frames = frames.map { $0 + [object(2, 150, 150)] }
        let summary = run([shop], frameRate: 10, frames)[0]
        #expect(summary.entered == ["person": 1], "a track born inside has not entered")
        #expect(summary.tracksInside == ["person": 2] && summary.insideNow == ["person": 1])
        // Track 1 walks in at x = 40…200 (inside, clear of the 5 px margin, from 120: 5 frames),
        // stands 10 frames, walks out at x = 200…400: inside at 200…280 (5 frames) and at 300,
        // on the edge, where it is not yet clearly out (1 frame): 21 frames, 2.1 s at 10 fps.
        // Track 2 is inside on all 30 frames: 3 s.
        #expect(frames.count == 30)
        #expect(summary.maxSecondsInside == ["person": 3])
        let mean = summary.meanSecondsInside?["person"] ?? 0
        #expect(abs(mean - (2.1 + 3) / 2) < 1e-9, "\(mean)")
        #expect(summary.caption == "shop: 1 inside, 1 entered")
    }

    @Test func parsesZoneListsAndNamesWhatIsWrong() throws {
        let zones = try CountingZone.parseList(
            Data(
                #"""
                [{"name": "door", "line": [[0, 100], [200, 100.5]], "classes": ["person"], "margin": 4},
                 {"polygon": [[0, 0], [10, 0], [10, 10]], "anchor": "center"}]
                """#.utf8))
        #expect(zones.count == 2 && zones[0].classes == ["person"] && zones[0].margin == 4)
        #expect(zones[1].name == "zone 2" && zones[1].anchor == .center && zones[1].margin == CountingZone.defaultMargin)
        let cases: [(String, String)] = [
            (#"{"line": [[0, 0], [1, 1]]}"#, "zones must be a JSON array"),
            (#"[{"line": [[0, 0], [1, 1]], "colour": "red"}]"#, "unknown field 'colour'"),
            (#"[{"line": [[0, 0], [1, 1], [2, 2]]}]"#, "a line is two different points"),
            (#"[{"line": [[0, 0], [0, 0]]}]"#, "a line is two different points"),
            (#"[{"polygon": [[0, 0], [1, 1]]}]"#, "a polygon has 3 to 64 points"),
            (#"[{"polygon": [[0, 0], [5, 5], [10, 10]]}]"#, "the polygon has no area"),
            (#"[{"line": [[0, 0], [1, 1]], "polygon": [[0, 0], [1, 0], [0, 1]]}]"#, "either a 'line' or a 'polygon'"),
            (#"[{"line": [[0, true], [1, 1]]}]"#, "each point of line is [x, y]"),
            (#"[{"name": "a", "line": [[0, 0], [1, 1]]}, {"name": "a", "line": [[0, 0], [2, 2]]}]"#, "two zones are named 'a'"),
            (#"[{"line": [[0, 0], [1, 1]], "margin": -1}]"#, "margin must be a number"),
            (#"[{"line": [[0, 0], [1, 1]], "anchor": "top"}]"#, "anchor must be 'bottom' or 'center'"),
        ]
        for (json, message) in cases {
            do {
                _ = try CountingZone.parseList(Data(json.utf8))
                Issue.record("\(json) was accepted")
            } catch {
                #expect(error.description.contains(message), "\(json): \(error)")
            }
        }
    }
}
