/// Counts confirmed tracks against zones frame by frame: line crossings in each direction
/// and polygon entries with the time spent inside, per class.
///
/// A track's side of a line (or whether it is inside a polygon) only changes once its
/// anchor point is more than the zone's margin past the line (or edge): a box flickering
/// on the line never counts, and one real crossing counts once. Appearing on a side is not
/// a crossing, and a line is crossed only between its two ends. No I/O, deterministic.
public struct ZoneCounter: Sendable {
    public let zones: [CountingZone]
    let frameRate: Double
    private var states: [ZoneState]
    private var lastSeen: [Int: Int] = [:]
    private var frame = 0
    /// A track unseen for this many frames is forgotten (it was lost for good long before).
    static let forgetAfterFrames = 1000

    public init(zones: [CountingZone], frameRate: Double) {
        self.zones = zones
        self.frameRate = frameRate > 0 ? frameRate : 30
        states = zones.map { _ in ZoneState() }
    }

    public mutating func update(_ objects: [TrackedObject]) {
        frame += 1
        for object in objects { lastSeen[object.trackId] = frame }
        for index in zones.indices {
            let zone = zones[index]
            for object in objects where zone.counts(object.label) {
                let point = zone.anchor.point(of: object.box)
                switch zone.shape {
                case .line(let a, let b): states[index].line(object, at: point, a, b, margin: zone.margin)
                case .polygon(let polygon): states[index].polygon(object, at: point, polygon, margin: zone.margin)
                }
            }
        }
        if frame % 256 == 0 {
            let gone = lastSeen.filter { frame - $0.value > Self.forgetAfterFrames }.map(\.key)
            for trackId in gone {
                lastSeen[trackId] = nil
                for index in states.indices { states[index].forget(trackId) }
            }
        }
    }

    /// The counts so far, one entry per zone in the order given.
    public var summary: [ZoneSummary] {
        zip(zones, states).map { zone, state in
            switch zone.shape {
            case .line:
                return ZoneSummary(name: zone.name, kind: .line, crossedIn: state.crossedIn, crossedOut: state.crossedOut)
            case .polygon:
                var dwell = state.finishedDwell
                for (trackId, frames) in state.dwellFrames { dwell.append((state.labels[trackId] ?? "", frames)) }
                var mean: [String: Double] = [:]
                var longest: [String: Double] = [:]
                for (label, items) in Dictionary(grouping: dwell, by: \.label) {
                    let seconds = items.map { Double($0.frames) / frameRate }
                    mean[label] = NumberFormat.derived(seconds.reduce(0, +) / Double(seconds.count))
                    longest[label] = seconds.max().map(NumberFormat.derived)
                }
                return ZoneSummary(
                    name: zone.name, kind: .polygon, entered: state.entered,
                    tracksInside: Dictionary(grouping: dwell, by: \.label).mapValues(\.count),
                    insideNow: Dictionary(
                        grouping: state.inside.filter { $0.value && lastSeen[$0.key] == frame }.keys,
                        by: { state.labels[$0] ?? "" }
                    ).mapValues(\.count),
                    meanSecondsInside: mean, maxSecondsInside: longest)
            }
        }
    }
}

/// One zone's per-track state and counts.
private struct ZoneState: Sendable {
    /// Per track: -1 or +1, the side of the line it was last clearly on.
    var sides: [Int: Int8] = [:]
    /// Per track: whether it is inside the polygon (once clearly in or out).
    var inside: [Int: Bool] = [:]
    /// Per track ever inside: frames inside so far.
    var dwellFrames: [Int: Int] = [:]
    var labels: [Int: String] = [:]
    /// Dwell of forgotten tracks, kept for the means.
    var finishedDwell: [(label: String, frames: Int)] = []
    var crossedIn: [String: Int] = [:]
    var crossedOut: [String: Int] = [:]
    var entered: [String: Int] = [:]

    mutating func line(_ object: TrackedObject, at point: Point, _ a: Point, _ b: Point, margin: Float) {
        let (distance, along) = ZoneGeometry.side(of: point, line: a, b)
        guard abs(distance) > margin else { return }
        let side: Int8 = distance > 0 ? 1 : -1
        defer { sides[object.trackId] = side }
        guard let previous = sides[object.trackId], previous != side, (0...1).contains(along) else { return }
        if side > 0 { crossedIn[object.label, default: 0] += 1 } else { crossedOut[object.label, default: 0] += 1 }
    }

    mutating func polygon(_ object: TrackedObject, at point: Point, _ polygon: [Point], margin: Float) {
        let contained = ZoneGeometry.contains(polygon, point)
        let clear = ZoneGeometry.distanceToEdges(polygon, point) > margin
        let id = object.trackId
        if clear {
            if contained, inside[id] == false { entered[object.label, default: 0] += 1 }
            inside[id] = contained
        }
        if inside[id] == true {
            dwellFrames[id, default: 0] += 1
            labels[id] = object.label
        }
    }

    mutating func forget(_ trackId: Int) {
        sides[trackId] = nil
        inside[trackId] = nil
        if let frames = dwellFrames.removeValue(forKey: trackId) {
            finishedDwell.append((labels[trackId] ?? "", frames))
        }
        labels[trackId] = nil
    }
}
