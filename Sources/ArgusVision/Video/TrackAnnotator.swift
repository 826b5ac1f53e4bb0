import ArgusCore
import CImaging

/// Draws tracks on video frames in place: each confirmed track's box with `#id label 87%`
/// in its class colour, and a short trail of where its centre has been.
struct TrackAnnotator {
    let trailLength: Int
    private var trails: [Int: [Float]] = [:]
    private var lastSeen: [Int: Int] = [:]
    private var frame = 0

    init(trailLength: Int) {
        self.trailLength = max(0, trailLength)
    }

    mutating func draw(_ objects: [TrackedObject], on image: Image) {
        frame += 1
        let thickness = Int32(max(2, min(image.width, image.height) / 300))
        for object in objects {
            let colour = Palette.colour(for: object.classId)
            let centre = object.box.center
            var trail = trails[object.trackId, default: []]
            trail += [centre.x, centre.y]
            if trail.count > trailLength * 2 { trail.removeFirst(trail.count - trailLength * 2) }
            trails[object.trackId] = trail
            lastSeen[object.trackId] = frame
            if trail.count >= 4 {
                trail.withUnsafeBufferPointer {
                    ci_draw_polyline(
                        image.handle, $0.baseAddress, Int32($0.count / 2), 0, colour.r, colour.g, colour.b,
                        max(1, thickness - 1))
                }
            }
            let label = "#\(object.trackId) " + Image.label(object.label, confidence: Double(object.confidence))
            let box = object.box
            ci_draw_box(image.handle, box.x1, box.y1, box.x2, box.y2, colour.r, colour.g, colour.b, label, thickness)
        }
        // Forget the trails of tracks gone for a while, so a long video keeps memory flat.
        if frame % 64 == 0 {
            for (trackId, seen) in lastSeen where frame - seen > 64 {
                trails[trackId] = nil
                lastSeen[trackId] = nil
            }
        }
    }
}
