import ArgusCore
import Dispatch

extension Detector {
    /// How boxes of neighbouring tiles are merged: a part of an object cut by a tile's edge
    /// lies mostly inside the whole object's box, so the overlap is measured over the
    /// smaller box, and above this the weaker box goes.
    public static let tileMergeThreshold: Float = 0.6

    /// `image` cut into overlapping tiles when `options.tiling` says so: each tile and one
    /// whole view are detected, the boxes moved to the image's pixels and merged (the usual
    /// NMS, then the tile merge). Boxes are in the image's pixels.
    func detectTiled(_ image: Image, options: DetectionOptions) throws -> DetectionOutput {
        guard
            let size = TilePlan.tileSize(
                options.tiling, imageWidth: image.width, imageHeight: image.height,
                input: (manifest.input.width, manifest.input.height))
        else { return try detectWhole(image, options: options) }
        var perView = options
        perView.tiling = .off
        perView.maxDetections = max(options.maxDetections, 1000)
        var output = try detectWhole(image, options: perView)
        var candidates = output.detections.map { Candidate(classId: $0.classId, score: $0.confidence, box: $0.box) }
        var labels = Dictionary(output.detections.map { ($0.classId, $0.label) }, uniquingKeysWith: { a, _ in a })
        let tiles = TilePlan.tiles(
            imageWidth: image.width, imageHeight: image.height, width: size.width, height: size.height,
            overlap: options.tileOverlap)
        for tile in tiles {
            let part = try image.cropped(x: tile.x, y: tile.y, width: tile.width, height: tile.height)
            let found = try detectWhole(part, options: perView)
            output.timings.preprocess += found.timings.preprocess
            output.timings.inference += found.timings.inference
            output.timings.postprocess += found.timings.postprocess
            for detection in found.detections {
                var box = detection.box
                box.x1 += Float(tile.x)
                box.x2 += Float(tile.x)
                box.y1 += Float(tile.y)
                box.y2 += Float(tile.y)
                candidates.append(Candidate(classId: detection.classId, score: detection.confidence, box: box))
                labels[detection.classId] = detection.label
            }
        }
        let start = DispatchTime.now()
        let suppressed = NonMaxSuppression.apply(
            candidates, iouThreshold: options.iouThreshold, maxDetections: Int.max, classAgnostic: options.classAgnostic)
        let merged = NonMaxSuppression.apply(
            suppressed, iouThreshold: Self.tileMergeThreshold, maxDetections: options.maxDetections,
            classAgnostic: options.classAgnostic, overlap: .intersectionOverSmaller)
        output.detections = merged.map {
            Detection(classId: $0.classId, label: labels[$0.classId] ?? "class \($0.classId)", confidence: $0.score, box: $0.box)
        }
        output.timings.postprocess += milliseconds(start, DispatchTime.now())
        return output
    }
}
