import ArgusCore
import CImaging

/// Draws tracks on video frames in place: each confirmed track's box with `#id label 87%`
/// in its class colour, a short trail of where its centre has been, and the counting zones
/// with their counts so far.
struct TrackAnnotator {
    let trailLength: Int
    let zones: [CountingZone]
    /// The zones' colour: one no class has.
    static let zoneColour: (r: UInt8, g: UInt8, b: UInt8) = (255, 255, 255)
    private var trails: [Int: [Float]] = [:]
    private var lastSeen: [Int: Int] = [:]
    private var frame = 0

    init(trailLength: Int, zones: [CountingZone] = []) {
        self.trailLength = max(0, trailLength)
        self.zones = zones
    }

    /// `captions`: one line per zone (ZoneSummary.caption), drawn at its first point.
    mutating func draw(_ objects: [TrackedObject], captions: [String] = [], on image: Image) {
        frame += 1
        let thickness = Int32(max(2, min(image.width, image.height) / 300))
        drawZones(captions: captions, on: image, thickness: thickness)
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

    private func drawZones(captions: [String], on image: Image, thickness: Int32) {
        let colour = Self.zoneColour
        for (index, zone) in zones.enumerated() {
            let points: [Point]
            switch zone.shape {
            case .line(let a, let b): points = [a, b]
            case .polygon(let polygon): points = polygon
            }
            let xy = points.flatMap { [$0.x, $0.y] }
            let closed: Int32 = points.count > 2 ? 1 : 0
            xy.withUnsafeBufferPointer {
                ci_draw_polyline(
                    image.handle, $0.baseAddress, Int32(points.count), closed, colour.r, colour.g, colour.b, thickness)
            }
            let caption = index < captions.count ? captions[index] : zone.name
            ci_draw_text(image.handle, points[0].x, points[0].y, colour.r, colour.g, colour.b, caption)
        }
    }
}
