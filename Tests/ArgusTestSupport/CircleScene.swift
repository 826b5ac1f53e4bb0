import Foundation

/// A grey picture with filled discs at known places, plus seeded pixel noise: what the
/// circle detectors must find within a pixel or two.
public struct CircleScene: Sendable {
    public struct Disc: Sendable {
        public let x: Double
        public let y: Double
        public let radius: Double
    }

    public let width: Int
    public let height: Int
    public let discs: [Disc]
    /// Tightly packed BGR.
    public let pixels: [UInt8]

    /// Discs of different sizes, never touching; noise of ±`noise` grey levels.
    public static func make(
        width: Int = 640, height: Int = 480, noise: Int = 25, seed: UInt64 = 7, withDiscs: Bool = true
    ) -> CircleScene {
        let discs =
            !withDiscs
            ? []
            : [
                Disc(x: 120.5, y: 110.0, radius: 60), Disc(x: 330.0, y: 240.5, radius: 42.5),
                Disc(x: 520.0, y: 120.0, radius: 75), Disc(x: 180.0, y: 360.0, radius: 30),
                Disc(x: 480.5, y: 370.0, radius: 55),
            ]
        var generator = SeededGenerator(state: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                // Anti-aliased edge: coverage from the distance to the nearest disc's rim.
                var value = 70.0
                for disc in discs {
                    let distance = ((Double(x) - disc.x) * (Double(x) - disc.x) + (Double(y) - disc.y) * (Double(y) - disc.y))
                        .squareRoot()
                    let coverage = min(1, max(0, disc.radius + 0.5 - distance))
                    value = value * (1 - coverage) + 210 * coverage
                }
                let noisy = value + Double(Int(generator.next() % UInt64(2 * noise + 1)) - noise)
                let byte = UInt8(min(255, max(0, noisy.rounded())))
                let offset = (y * width + x) * 3
                pixels[offset] = byte
                pixels[offset + 1] = byte
                pixels[offset + 2] = byte
            }
        }
        return CircleScene(width: width, height: height, discs: discs, pixels: pixels)
    }
}

extension CircleScene {
    /// Every disc found once, centre and radius within `tolerance` pixels, and nothing else.
    public func isRecovered(by found: [(x: Double, y: Double, r: Double)], tolerance: Double = 2) -> Bool {
        found.count == discs.count
            && discs.allSatisfy { disc in
                found.contains { hypot($0.x - disc.x, $0.y - disc.y) <= tolerance && abs($0.r - disc.radius) <= tolerance }
            }
    }
}

/// SplitMix64: the same noise on every run.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
