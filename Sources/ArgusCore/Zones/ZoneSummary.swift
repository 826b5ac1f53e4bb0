/// What a zone counted over a video or a live session, per class label.
public struct ZoneSummary: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case line, polygon }

    public var name: String
    public var kind: Kind
    /// Lines: crossings to the right-hand side of the line as drawn (`in`) and back (`out`).
    public var crossedIn: [String: Int]?
    public var crossedOut: [String: Int]?
    /// Polygons: tracks that came in from outside (a track born inside has not entered).
    public var entered: [String: Int]?
    /// Polygons: distinct tracks that were inside at some time.
    public var tracksInside: [String: Int]?
    /// Polygons: tracks inside at the last frame.
    public var insideNow: [String: Int]?
    /// Polygons: seconds inside per track, mean and longest.
    public var meanSecondsInside: [String: Double]?
    public var maxSecondsInside: [String: Double]?

    public init(
        name: String, kind: Kind, crossedIn: [String: Int]? = nil, crossedOut: [String: Int]? = nil,
        entered: [String: Int]? = nil, tracksInside: [String: Int]? = nil, insideNow: [String: Int]? = nil,
        meanSecondsInside: [String: Double]? = nil, maxSecondsInside: [String: Double]? = nil
    ) {
        self.name = name
        self.kind = kind
        self.crossedIn = crossedIn
        self.crossedOut = crossedOut
        self.entered = entered
        self.tracksInside = tracksInside
        self.insideNow = insideNow
        self.meanSecondsInside = meanSecondsInside
        self.maxSecondsInside = maxSecondsInside
    }

    enum CodingKeys: String, CodingKey {
        case name, kind
        case crossedIn = "in"
        case crossedOut = "out"
        case entered
        case tracksInside = "tracks_inside"
        case insideNow = "inside_now"
        case meanSecondsInside = "mean_seconds_inside"
        case maxSecondsInside = "max_seconds_inside"
    }

    /// A short line for the annotated video: `door: in 3, out 2` or `shop: 2 inside, 5 entered`.
    public var caption: String {
        func total(_ counts: [String: Int]?) -> Int { counts?.values.reduce(0, +) ?? 0 }
        switch kind {
        case .line: return "\(name): in \(total(crossedIn)), out \(total(crossedOut))"
        case .polygon: return "\(name): \(total(insideNow)) inside, \(total(entered)) entered"
        }
    }
}
