import ArgusCore
import Testing

@Suite struct BoundingBoxTests {
    @Test func iouOfIdenticalDisjointAndHalfOverlappingBoxes() {
        let a = BoundingBox(x1: 0, y1: 0, x2: 10, y2: 10)
        #expect(a.iou(a) == 1)
        #expect(a.iou(BoundingBox(x1: 20, y1: 20, x2: 30, y2: 30)) == 0)
        // 50 shared of 150 total.
        #expect(abs(a.iou(BoundingBox(x1: 5, y1: 0, x2: 15, y2: 10)) - 1.0 / 3.0) < 1e-6)
        // Touching edges share no area.
        #expect(a.iou(BoundingBox(x1: 10, y1: 0, x2: 20, y2: 10)) == 0)
    }

    @Test func centreSizeConstructionAndClipping() {
        let box = BoundingBox(centerX: 5, centerY: 5, width: 20, height: 4)
        #expect(box == BoundingBox(x1: -5, y1: 3, x2: 15, y2: 7))
        #expect(box.clipped(width: 10, height: 6) == BoundingBox(x1: 0, y1: 3, x2: 10, y2: 6))
    }

    @Test func unmappingUndoesLetterboxScaleAndPadding() {
        // A 200×100 image letterboxed into 400×400: scale 2, padded 100 rows on top.
        let transform = InputTransform(scaleX: 2, scaleY: 2, padX: 0, padY: 100)
        let inInput = BoundingBox(x1: 20, y1: 120, x2: 400, y2: 300)
        #expect(inInput.unmapped(by: transform) == BoundingBox(x1: 10, y1: 10, x2: 200, y2: 100))
    }

    @Test func degenerateBoxesHaveNoArea() {
        let inverted = BoundingBox(x1: 10, y1: 10, x2: 0, y2: 0)
        #expect(inverted.area == 0)
        #expect(inverted.iou(inverted) == 0)
    }
}
