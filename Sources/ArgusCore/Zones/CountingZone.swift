import Foundation

/// A line or polygon that tracks are counted against, in the pixels of the frame as shown.
///
/// JSON: `{"name": "door", "line": [[x1, y1], [x2, y2]]}` or
/// `{"name": "shop", "polygon": [[x, y], [x, y], [x, y], …]}`, with optional `"classes"`
/// (labels counted; all when absent), `"margin"` (pixels a track must go past the line or
/// edge before it counts, default 10: box jitter around the line never counts) and
/// `"anchor"` (`"bottom"`, the middle of the box's bottom edge, where a person stands; or
/// `"center"`).
public struct CountingZone: Sendable, Hashable {
    public enum Shape: Sendable, Hashable {
        /// Crossing to the right-hand side of the line as drawn from its first point to its
        /// second (on screen) counts `in`, back counts `out`.
        case line(Point, Point)
        /// Entering counts `entered`; the time inside is measured per track.
        case polygon([Point])
    }

    public static let defaultMargin: Float = 10
    public static let maxPolygonPoints = 64

    public var name: String
    public var shape: Shape
    public var classes: Set<String>?
    public var margin: Float
    public var anchor: ZoneAnchor

    public init(
        name: String, shape: Shape, classes: Set<String>? = nil, margin: Float = defaultMargin,
        anchor: ZoneAnchor = .bottom
    ) {
        self.name = name
        self.shape = shape
        self.classes = classes
        self.margin = margin
        self.anchor = anchor
    }

    /// Whether tracks of `label` are counted here.
    public func counts(_ label: String) -> Bool { classes?.contains(label) ?? true }
}

/// The point of a box that is counted.
public enum ZoneAnchor: String, Sendable, Hashable, Codable, CaseIterable {
    case bottom, center

    public func point(of box: BoundingBox) -> Point {
        switch self {
        case .bottom: Point(x: (box.x1 + box.x2) / 2, y: box.y2)
        case .center: Point(x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2)
        }
    }
}

/// Why a zone list cannot be used; the message names the zone and the field.
public struct ZoneError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension CountingZone {
    /// At most this many zones per video or live session.
    public static let maxZones = 16

    /// Reads a JSON array of zones (see the type's comment).
    public static func parseList(_ data: Data) throws(ZoneError) -> [CountingZone] {
        guard let value = try? JSONSerialization.jsonObject(with: data), let list = value as? [Any] else {
            throw ZoneError("zones must be a JSON array of objects")
        }
        guard list.count <= maxZones else { throw ZoneError("at most \(maxZones) zones") }
        var zones: [CountingZone] = []
        for (index, item) in list.enumerated() {
            guard let object = item as? [String: Any] else { throw ZoneError("zone \(index + 1) is not an object") }
            let zone = try parse(object, index: index)
            guard !zones.contains(where: { $0.name == zone.name }) else {
                throw ZoneError("two zones are named '\(zone.name)'")
            }
            zones.append(zone)
        }
        return zones
    }

    static let knownKeys: Set<String> = ["name", "line", "polygon", "classes", "margin", "anchor"]

    static func parse(_ object: [String: Any], index: Int) throws(ZoneError) -> CountingZone {
        let fallback = "zone \(index + 1)"
        var name = fallback
        if let raw = object["name"] {
            guard let text = raw as? String, !text.isEmpty, text.count <= 64 else {
                throw ZoneError("\(fallback): name must be a string of 1 to 64 characters")
            }
            name = text
        }
        if let unknown = object.keys.first(where: { !knownKeys.contains($0) }) {
            throw ZoneError("\(name): unknown field '\(unknown)' (known: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        let shape: Shape
        switch (object["line"], object["polygon"]) {
        case (let line?, nil):
            let points = try Self.points(line, zone: name, field: "line")
            guard points.count == 2, points[0] != points[1] else {
                throw ZoneError("\(name): a line is two different points [[x1, y1], [x2, y2]]")
            }
            shape = .line(points[0], points[1])
        case (nil, let polygon?):
            let points = try Self.points(polygon, zone: name, field: "polygon")
            guard (3...maxPolygonPoints).contains(points.count) else {
                throw ZoneError("\(name): a polygon has 3 to \(maxPolygonPoints) points")
            }
            guard ZoneGeometry.area(points) > 1 else { throw ZoneError("\(name): the polygon has no area") }
            shape = .polygon(points)
        default:
            throw ZoneError("\(name): give either a 'line' or a 'polygon'")
        }
        var zone = CountingZone(name: name, shape: shape)
        if let raw = object["classes"] {
            guard let labels = raw as? [String], !labels.isEmpty else {
                throw ZoneError("\(name): classes must be a non-empty array of labels")
            }
            zone.classes = Set(labels)
        }
        if let raw = object["margin"] {
            guard let margin = number(raw), (0...1000).contains(margin) else {
                throw ZoneError("\(name): margin must be a number of pixels from 0 to 1000")
            }
            zone.margin = Float(margin)
        }
        if let raw = object["anchor"] {
            guard let text = raw as? String, let anchor = ZoneAnchor(rawValue: text) else {
                throw ZoneError("\(name): anchor must be 'bottom' or 'center'")
            }
            zone.anchor = anchor
        }
        return zone
    }

    private static func points(_ raw: Any, zone: String, field: String) throws(ZoneError) -> [Point] {
        guard let pairs = raw as? [Any] else { throw ZoneError("\(zone): \(field) must be an array of [x, y] points") }
        var points: [Point] = []
        for pair in pairs {
            guard let numbers = pair as? [Any], numbers.count == 2,
                let x = number(numbers[0]), let y = number(numbers[1]),
                x.isFinite, y.isFinite, abs(x) <= 100_000, abs(y) <= 100_000
            else { throw ZoneError("\(zone): each point of \(field) is [x, y] in pixels") }
            points.append(Point(x: Float(x), y: Float(y)))
        }
        return points
    }

    /// A JSON number as JSONSerialization gives it: an NSNumber, whose `true` and `false`
    /// are type "c" (a number 0 or 1 also casts to Bool, so `is Bool` cannot tell them apart).
    private static func number(_ raw: Any) -> Double? {
        guard let value = raw as? NSNumber, String(cString: value.objCType) != "c" else { return nil }
        return value.doubleValue
    }
}
