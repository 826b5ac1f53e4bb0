import Testing

@testable import ArgusCore

@Suite struct TilingTests {
    @Test func tilesCoverTheImageWithTheOverlapAsked() {
        let tiles = TilePlan.tiles(imageWidth: 3000, imageHeight: 2171, width: 832, height: 832, overlap: 0.6)
        // Every pixel is in a tile; the last row and column end at the image's edge.
        for (x, y) in [(0, 0), (2999, 2170), (1500, 1085), (2999, 0), (0, 2170)] {
            #expect(tiles.contains { x >= $0.x && x < $0.x + $0.width && y >= $0.y && y < $0.y + $0.height })
        }
        #expect(tiles.allSatisfy { $0.x + $0.width <= 3000 && $0.y + $0.height <= 2171 && $0.width == 832 })
        let columns = Set(tiles.map(\.x)).sorted()
        for (left, right) in zip(columns, columns.dropFirst()) { #expect(Float(right - left) <= 832 * 0.4 + 1) }
        #expect(
            TilePlan.tiles(imageWidth: 300, imageHeight: 200, width: 832, height: 832, overlap: 0.2)
                == [Tile(x: 0, y: 0, width: 300, height: 200)])
    }

    @Test func autoTilesOnlyLargeImagesAndParametersParse() {
        let input = (width: 416, height: 416)
        #expect(TilePlan.tileSize(.auto, imageWidth: 1000, imageHeight: 800, input: input) == nil)
        #expect(TilePlan.tileSize(.auto, imageWidth: 3000, imageHeight: 2171, input: input)! == (832, 832))
        #expect(TilePlan.tileSize(.off, imageWidth: 9000, imageHeight: 9000, input: input) == nil)
        #expect(TilePlan.tileSize(.size(width: 640, height: 640), imageWidth: 600, imageHeight: 600, input: input) == nil)
        #expect(Tiling(parameter: "640x480") == .size(width: 640, height: 480))
        #expect(Tiling(parameter: "AUTO") == .auto && Tiling(parameter: "off") == .off)
        for bad in ["", "x", "10x10", "640", "640x", "ax480", "99999x640"] { #expect(Tiling(parameter: bad) == nil, "\(bad)") }
        #expect(Tiling.size(width: 640, height: 480).parameter == "640x480")
    }

    @Test func tileMergeKeepsTheWholeBoxOverItsParts() {
        let whole = Candidate(classId: 0, score: 0.9, box: BoundingBox(x1: 0, y1: 0, x2: 100, y2: 200))
        let part = Candidate(classId: 0, score: 0.6, box: BoundingBox(x1: 0, y1: 0, x2: 100, y2: 90))
        let other = Candidate(classId: 0, score: 0.5, box: BoundingBox(x1: 150, y1: 0, x2: 250, y2: 200))
        // By IoU the part survives (0.45); over the smaller box it is inside the whole one.
        #expect(NonMaxSuppression.apply([whole, part, other], iouThreshold: 0.6, maxDetections: 10).count == 3)
        let merged = NonMaxSuppression.apply(
            [whole, part, other], iouThreshold: 0.6, maxDetections: 10, overlap: .intersectionOverSmaller)
        #expect(merged == [whole, other])
    }
}
