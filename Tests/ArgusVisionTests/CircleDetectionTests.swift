import ArgusCore
import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

@Suite struct CircleDetectionTests {
    @Test func houghFindsEveryDrawnDiscWithinTwoPixels() async throws {
        let scene = CircleScene.make()
        let image = Image(bgr: scene.pixels, width: scene.width, height: scene.height)
        var options = CircleOptions()
        options.minRadius = 20
        options.maxRadius = 90
        let found = try await HoughCircleDetector().detect(image, options: options)
        #expect(found.count == scene.discs.count, "\(found)")
        for disc in scene.discs {
            let match = found.min { a, b in
                hypot(Double(a.centerX) - disc.x, Double(a.centerY) - disc.y)
                    < hypot(Double(b.centerX) - disc.x, Double(b.centerY) - disc.y)
            }
            let circle = try #require(match)
            #expect(hypot(Double(circle.centerX) - disc.x, Double(circle.centerY) - disc.y) <= 2, "\(disc) → \(circle)")
            #expect(abs(Double(circle.radius) - disc.radius) <= 2, "\(disc) → \(circle)")
            #expect(circle.confidence > 0.5 && circle.confidence <= 1)
        }
    }

    @Test func noiseAloneGivesNoCircles() async throws {
        let scene = CircleScene.make(noise: 25, withDiscs: false)
        let image = Image(bgr: scene.pixels, width: scene.width, height: scene.height)
        let found = try await HoughCircleDetector().detect(image, options: CircleOptions())
        #expect(found.isEmpty, "\(found)")
    }

    @Test func optionsAreValidated() {
        var options = CircleOptions()
        #expect(options.problem == nil)
        options.maxRadius = 3
        options.minRadius = 10
        #expect(options.problem != nil)
    }
}
