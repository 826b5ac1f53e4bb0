/// The plane geometry the zone counter needs, in pixels.
enum ZoneGeometry {
    /// Distance of `p` from the line through `a` and `b`, positive on its right-hand side on
    /// screen (y grows downwards), and where `p` projects along `a`→`b` (0 at `a`, 1 at `b`).
    static func side(of p: Point, line a: Point, _ b: Point) -> (distance: Float, along: Float) {
        let dx = b.x - a.x
        let dy = b.y - a.y
        let length = (dx * dx + dy * dy).squareRoot()
        let cross = dx * (p.y - a.y) - dy * (p.x - a.x)
        let dot = dx * (p.x - a.x) + dy * (p.y - a.y)
        return (cross / length, dot / (length * length))
    }

    /// Whether `p` is inside the polygon (even-odd rule).
    static func contains(_ polygon: [Point], _ p: Point) -> Bool {
        var inside = false
        var j = polygon.count - 1
        for i in polygon.indices {
            let (a, b) = (polygon[i], polygon[j])
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }

    /// Distance from `p` to the nearest edge of the polygon.
    static func distanceToEdges(_ polygon: [Point], _ p: Point) -> Float {
        var best = Float.infinity
        var j = polygon.count - 1
        for i in polygon.indices {
            best = min(best, distance(p, segment: polygon[j], polygon[i]))
            j = i
        }
        return best
    }

    static func distance(_ p: Point, segment a: Point, _ b: Point) -> Float {
        let dx = b.x - a.x
        let dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        let t = lengthSquared > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared)) : 0
        let (x, y) = (a.x + t * dx - p.x, a.y + t * dy - p.y)
        return (x * x + y * y).squareRoot()
    }

    /// The polygon's area (shoelace formula), whatever its winding.
    static func area(_ polygon: [Point]) -> Float {
        var twice: Float = 0
        var j = polygon.count - 1
        for i in polygon.indices {
            twice += polygon[j].x * polygon[i].y - polygon[i].x * polygon[j].y
            j = i
        }
        return abs(twice) / 2
    }
}
