import ArgusCore
import Testing

struct ByteTrackerTests {
    /// A person walking right at `speed` pixels per frame from x = `start`.
    private func walker(_ frame: Int, start: Float, y: Float = 100, speed: Float = 4, score: Float = 0.9) -> Detection {
        let x = start + Float(frame) * speed
        return Detection(classId: 0, label: "person", confidence: score, box: BoundingBox(x1: x, y1: y, x2: x + 40, y2: y + 100))
    }

    @Test func idsStayWithTheirObjectsAndStartAtOne() {
        var tracker = ByteTracker()
        for frame in 0..<60 {
            // Input order flips every frame: ids must follow boxes, not positions in the list.
            var detections = [walker(frame, start: 0), walker(frame, start: 400, y: 300, speed: -3)]
            if frame % 2 == 1 { detections.reverse() }
            let objects = tracker.update(detections)
            #expect(objects.map(\.trackId) == [1, 2], "frame \(frame)")
            let first = objects[0]
            #expect(first.box == walker(frame, start: 0).box, "frame \(frame): the matched detection's box")
            #expect(first.detectionIndex == (frame % 2 == 1 ? 1 : 0))
            #expect(!first.predicted)
        }
        #expect(tracker.confirmedTrackCount == 2)
    }

    @Test func aTrackBornLaterIsConfirmedOnItsSecondFrame() {
        var tracker = ByteTracker()
        for frame in 0..<4 { #expect(tracker.update([walker(frame, start: 0)]).count == 1) }
        // A second object appears on the fifth frame: unconfirmed, not reported...
        #expect(tracker.update([walker(4, start: 0), walker(4, start: 300)]).map(\.trackId) == [1])
        // ...until it is matched again.
        #expect(tracker.update([walker(5, start: 0), walker(5, start: 300)]).map(\.trackId) == [1, 2])
    }

    @Test func aOneFrameFalsePositiveNeverGetsAnId() {
        var tracker = ByteTracker()
        _ = tracker.update([walker(0, start: 0)])
        _ = tracker.update([walker(1, start: 0), walker(1, start: 500)])
        for frame in 2..<10 { _ = tracker.update([walker(frame, start: 0)]) }
        _ = tracker.update([walker(10, start: 0), walker(10, start: 700)])
        #expect(tracker.update([walker(11, start: 0), walker(11, start: 700)]).map(\.trackId) == [1, 2])
        #expect(tracker.confirmedTrackCount == 2, "the flicker at x = 500 took no id")
    }

    @Test func minimumHitsDelaysConfirmation() {
        var configuration = TrackerConfiguration()
        configuration.minimumHits = 3
        var tracker = ByteTracker(configuration: configuration)
        #expect(tracker.update([walker(0, start: 0)]).isEmpty)
        #expect(tracker.update([walker(1, start: 0)]).isEmpty)
        #expect(tracker.update([walker(2, start: 0)]).map(\.trackId) == [1])
    }

    @Test func lowScoreDetectionsCarryATrackThroughOcclusionButStartNone() {
        var tracker = ByteTracker()
        for frame in 0..<10 { _ = tracker.update([walker(frame, start: 0)]) }
        // Half hidden: low scores keep track 1 alive...
        for frame in 10..<16 {
            #expect(tracker.update([walker(frame, start: 0, score: 0.15)]).map(\.trackId) == [1], "frame \(frame)")
        }
        // ...but a low-score object alone never starts a track.
        var fresh = ByteTracker()
        for frame in 0..<10 { #expect(fresh.update([walker(frame, start: 0, score: 0.2)]).isEmpty) }
        // And under the low threshold a detection is ignored altogether.
        var ignored = ByteTracker()
        for frame in 0..<10 { _ = ignored.update([walker(frame, start: 0)]) }
        #expect(ignored.update([walker(10, start: 0, score: 0.05)]).isEmpty)
    }

    @Test func aLostTrackIsRefoundWithinTheBufferAndNotAfter() {
        var tracker = ByteTracker()
        for frame in 0..<10 { _ = tracker.update([walker(frame, start: 0)]) }
        // Gone for 10 frames (the buffer is 30), back where its motion puts it: the same id.
        for _ in 10..<20 { #expect(tracker.update([]).isEmpty) }
        #expect(tracker.update([walker(20, start: 0)]).map(\.trackId) == [1])

        var short = TrackerConfiguration()
        short.lostBuffer = 5
        var forgetful = ByteTracker(configuration: short)
        for frame in 0..<10 { _ = forgetful.update([walker(frame, start: 0)]) }
        for _ in 10..<20 { _ = forgetful.update([]) }
        _ = forgetful.update([walker(20, start: 0)])
        #expect(forgetful.update([walker(21, start: 0)]).map(\.trackId) == [2], "past the buffer: a new track")
    }

    @Test func theBufferScalesWithTheFrameRate() {
        var configuration = TrackerConfiguration()
        configuration.frameRate = 10
        #expect(configuration.maximumFramesLost == 10)
        configuration.frameRate = 60
        #expect(configuration.maximumFramesLost == 60)
    }

    @Test func tracksKeepToTheirClassUnlessAgnostic() {
        let car = { (frame: Int) in
            Detection(classId: 2, label: "car", confidence: 0.9, box: walker(frame, start: 0).box)
        }
        var perClass = ByteTracker()
        for frame in 0..<5 { _ = perClass.update([walker(frame, start: 0)]) }
        _ = perClass.update([car(5)])
        let objects = perClass.update([car(6)])
        #expect(objects.map(\.trackId) == [2] && objects.first?.label == "car", "a car never takes the person's track")

        var configuration = TrackerConfiguration()
        configuration.classAgnostic = true
        var agnostic = ByteTracker(configuration: configuration)
        for frame in 0..<5 { _ = agnostic.update([walker(frame, start: 0)]) }
        #expect(agnostic.update([car(5)]).map(\.trackId) == [1])
    }

    @Test func strideFramesPredictAlongTheMotion() throws {
        var tracker = ByteTracker()
        for frame in 0..<10 { _ = tracker.update([walker(frame, start: 0)]) }
        var last = try #require(tracker.update([walker(10, start: 0)]).first)
        for _ in 11..<14 {
            let predicted = try #require(tracker.predictFrame().first)
            #expect(predicted.predicted && predicted.trackId == 1 && predicted.detectionIndex == nil)
            #expect(abs(predicted.box.x1 - last.box.x1 - 4) < 0.5, "moves about 4 px a frame")
            last = predicted
        }
        #expect(tracker.frame == 14)
        #expect(tracker.update([walker(14, start: 0)]).map(\.trackId) == [1])
    }

    @Test func eachTrackerCountsItsOwnIds() {
        var first = ByteTracker()
        for frame in 0..<5 { _ = first.update([walker(frame, start: 0), walker(frame, start: 300)]) }
        var second = ByteTracker()
        #expect(second.update([walker(0, start: 0)]).map(\.trackId) == [1])
    }

    @Test func malformedDetectionsAreIgnored() {
        var tracker = ByteTracker()
        let nan = Detection(classId: 0, label: "person", confidence: .nan, box: walker(0, start: 0).box)
        let flat = Detection(classId: 0, label: "person", confidence: 0.9, box: BoundingBox(x1: 5, y1: 5, x2: 5, y2: 50))
        let infinite = Detection(
            classId: 0, label: "person", confidence: 0.9, box: BoundingBox(x1: 0, y1: 0, x2: .infinity, y2: 50))
        #expect(tracker.update([nan, flat, infinite, walker(0, start: 300)]).map(\.detectionIndex) == [3])
    }

    @Test func configurationProblemsAreNamed() {
        var configuration = TrackerConfiguration()
        #expect(configuration.problem == nil)
        #expect(configuration.effectiveBirthThreshold == 0.35)
        configuration.highThreshold = 0.95
        #expect(configuration.effectiveBirthThreshold == 0.95)
        configuration.lowThreshold = 0.99
        #expect(configuration.problem?.contains("low-score") == true)
        configuration = TrackerConfiguration()
        configuration.minimumHits = 0
        #expect(configuration.problem?.contains("minimum hits") == true)
        configuration = TrackerConfiguration()
        configuration.frameRate = .nan
        #expect(configuration.problem?.contains("frame rate") == true)
    }
}
