import ArgusCore
import Testing

@Suite struct NonMaxSuppressionTests {
    func candidate(_ classId: Int, _ score: Float, _ x: Float) -> Candidate {
        Candidate(classId: classId, score: score, box: BoundingBox(x1: x, y1: 0, x2: x + 10, y2: 10))
    }

    @Test func keepsTheBestOfOverlappingBoxesOfOneClass() {
        let kept = NonMaxSuppression.apply(
            [candidate(0, 0.6, 1), candidate(0, 0.9, 0), candidate(0, 0.5, 40)], iouThreshold: 0.45, maxDetections: 10)
        #expect(kept.map(\.score) == [0.9, 0.5])
    }

    @Test func perClassSuppressionKeepsOverlapsOfDifferentClasses() {
        let input = [candidate(0, 0.9, 0), candidate(1, 0.8, 1)]
        #expect(NonMaxSuppression.apply(input, iouThreshold: 0.45, maxDetections: 10).count == 2)
        let agnostic = NonMaxSuppression.apply(input, iouThreshold: 0.45, maxDetections: 10, classAgnostic: true)
        #expect(agnostic.map(\.classId) == [0])
    }

    @Test func onlyOverlapAboveTheThresholdSuppresses() {
        // IoU of boxes shifted by 5 of 10 is exactly 1/3.
        let input = [candidate(0, 0.9, 0), candidate(0, 0.8, 5)]
        #expect(NonMaxSuppression.apply(input, iouThreshold: 0.34, maxDetections: 10).count == 2)
        #expect(NonMaxSuppression.apply(input, iouThreshold: 0.33, maxDetections: 10).count == 1)
    }

    @Test func limitsTheResultToTheBestMaxDetections() {
        let input = (0..<50).map { candidate($0 % 3, Float($0) / 100, Float($0) * 20) }
        let kept = NonMaxSuppression.apply(input, iouThreshold: 0.45, maxDetections: 7)
        #expect(kept.count == 7)
        #expect(kept.map(\.score) == (43...49).reversed().map { Float($0) / 100 })
        #expect(NonMaxSuppression.apply(input, iouThreshold: 0.45, maxDetections: 0).isEmpty)
    }
}
