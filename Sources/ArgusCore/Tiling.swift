/// Whether a large image is cut into tiles for detection, SAHI-style: small objects of a
/// big photo shrink below what the model can see when the whole photo is scaled to its
/// input, so overlapping tiles are detected at full resolution, plus one whole view for
/// the large objects, and the boxes merged.
public enum Tiling: Sendable, Hashable {
    case off
    /// Tiles of twice the model's input size, when the image is at least twice as large
    /// as a tile on its longer side; off otherwise.
    case auto
    case size(width: Int, height: Int)

    /// Measured on the Solvay photo (bench/tiling_eval.py): 0.2 found 14 of its 29 people,
    /// 0.4 19, 0.5 24, 0.6 26.
    public static let defaultOverlap: Float = 0.6

    /// What `init(parameter:)` reads back.
    public var parameter: String {
        switch self {
        case .off: "off"
        case .auto: "auto"
        case .size(let width, let height): "\(width)x\(height)"
        }
    }

    /// `off`, `auto` or `WxH` (as `640x640`); nil for anything else.
    public init?(parameter: String) {
        switch parameter.lowercased() {
        case "off", "none", "false": self = .off
        case "auto": self = .auto
        default:
            let parts = parameter.lowercased().split(separator: "x")
            guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), (64...8192).contains(width),
                (64...8192).contains(height)
            else { return nil }
            self = .size(width: width, height: height)
        }
    }
}

/// One tile: its rectangle in the image's pixels.
public struct Tile: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
}

public enum TilePlan {
    /// The tile size `tiling` gives for a model whose input is `input`, or nil when the
    /// image is to be detected whole.
    public static func tileSize(
        _ tiling: Tiling, imageWidth: Int, imageHeight: Int, input: (width: Int, height: Int)
    ) -> (width: Int, height: Int)? {
        switch tiling {
        case .off:
            return nil
        case .auto:
            let size = (width: input.width * 2, height: input.height * 2)
            let fits = imageWidth < size.width * 2 && imageHeight < size.height * 2
            return fits ? nil : size
        case .size(let width, let height):
            return imageWidth > width || imageHeight > height ? (width, height) : nil
        }
    }

    /// Tiles of `width`×`height` covering the image, neighbours overlapping by at least
    /// `overlap` of a tile, the last row and column flush with the image's edge.
    public static func tiles(imageWidth: Int, imageHeight: Int, width: Int, height: Int, overlap: Float) -> [Tile] {
        func starts(_ total: Int, _ side: Int) -> [Int] {
            guard total > side else { return [0] }
            let step = max(1, Int(Float(side) * (1 - min(max(overlap, 0), 0.9))))
            let count = Int((Float(total - side) / Float(step)).rounded(.up)) + 1
            // Spread evenly, so that every overlap is about the same.
            return (0..<count).map { Int((Float($0) * Float(total - side) / Float(count - 1)).rounded()) }
        }
        let w = min(width, imageWidth), h = min(height, imageHeight)
        return starts(imageHeight, h).flatMap { y in starts(imageWidth, w).map { x in Tile(x: x, y: y, width: w, height: h) } }
    }
}
