import ArgusCore
import CImaging

/// Circles by OpenCV's Hough gradient transform, in process. Confidence is the share of
/// the circle's perimeter that lies on an edge.
///
/// The transform's cost grows with the pixels times the edge points, and a textured
/// photo (a quarter of its pixels on an edge) took 20 s at 640 × 488. So it works on the
/// image scaled to at most `maxSide` on its longer side (circles are given back in the
/// image's own pixels), and raises the Canny threshold in steps of 25 % until at most
/// `maxEdgeShare` of the pixels are edges: about a second at worst on coco128.
public struct HoughCircleDetector: CircleDetector {
    public let name = "hough"
    public var maxSide = 1024
    public var maxEdgeShare = 0.06

    public init() {}

    public func detect(_ image: Image, options: CircleOptions) async throws -> [DetectedCircle] {
        try detectNow(image, options: options)
    }

    /// The same, synchronously (for the CPU pool).
    public func detectNow(_ image: Image, options: CircleOptions) throws -> [DetectedCircle] {
        let shorter = min(image.width, image.height)
        var params = ci_circle_params(
            dp: 1, min_distance: options.minDistance > 0 ? options.minDistance : Double(max(8, options.minRadius)),
            canny_threshold: options.edgeThreshold, accumulator_threshold: options.accumulatorThreshold,
            min_radius: Int32(options.minRadius),
            max_radius: Int32(options.maxRadius > 0 ? options.maxRadius : max(options.minRadius, shorter / 2)),
            blur_kernel: 5, max_side: Int32(maxSide), max_edge_share: maxEdgeShare)
        // Ask for more than needed: weak ones are filtered by confidence afterwards.
        let capacity = options.maxCircles * 4
        var found = [ci_circle](repeating: ci_circle(), count: capacity)
        var count: Int32 = 0
        var usedThreshold = 0.0
        var message = ErrorMessage()
        let status = message.call { error, length in
            found.withUnsafeMutableBufferPointer {
                ci_find_circles(
                    image.handle, &params, $0.baseAddress, Int32(capacity), &count, &usedThreshold, error, length)
            }
        }
        guard status == 0 else { throw ImageError.corrupt(message.text) }
        return found.prefix(Int(count))
            .map { DetectedCircle(centerX: $0.cx, centerY: $0.cy, radius: $0.radius, confidence: $0.support) }
            .filter { $0.confidence >= options.minConfidence }
            .sorted { $0.confidence > $1.confidence }
            .prefix(options.maxCircles).map { $0 }
    }
}
