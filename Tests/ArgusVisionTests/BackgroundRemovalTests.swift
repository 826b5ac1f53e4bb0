import ArgusTestSupport
import Foundation
import Testing

@testable import ArgusVision

/// U²-Net-p against the independent Python pipeline's masks, refinement against DAVIS
/// ground truth, and what the cut-out is made of: decontaminated edges, trim, backgrounds,
/// formats.
@Suite struct BackgroundRemovalTests {
    static let remover: BackgroundRemover = {
        do {
            return try BackgroundRemover(
                model: .u2netp, modelPath: TestEnvironment.repoRoot.appendingPathComponent("models/u2netp.onnx").path,
                runtime: TestEnvironment.runtime, options: SessionOptions(intraOpThreads: 1))
        } catch {
            fatalError("U²-Net-p is not installed (run make setup): \(error)")
        }
    }()

    static let davis = TestEnvironment.shared.appendingPathComponent("datasets/davis2016-sub")

    static func frame(_ name: String) throws -> Image {
        try Image.load(path: davis.appendingPathComponent("images/\(name).jpg").path)
    }

    /// A grey PNG's pixels at 128 and above.
    static func binary(_ bytes: [UInt8]) throws -> [Bool] {
        try Image.decode(bytes).bgrPixels.enumerated().filter { $0.offset % 3 == 0 }.map { $0.element >= 128 }
    }

    static func iou(_ a: [Bool], _ b: [Bool]) -> Double {
        var both = 0, either = 0
        for (x, y) in zip(a, b) {
            if x && y { both += 1 }
            if x || y { either += 1 }
        }
        return either == 0 ? 1 : Double(both) / Double(either)
    }

    @Test(arguments: ["blackswan_00000", "camel_00000", "dog_00000", "libby_00000"])
    func theUnrefinedMaskMatchesTheReferencePipeline(_ name: String) throws {
        let image = try Self.frame(name)
        var options = MatteOptions()
        options.refine = false
        let matte = try Self.remover.matte(image, options: options).matte
        let golden = try Self.binary(
            Array(
                try Data(
                    contentsOf: TestEnvironment.repoRoot.appendingPathComponent(
                        "Tests/ArgusVisionTests/Golden/u2netp/\(name).png"))))
        let ours = matte.alpha.map { $0 >= 128 }
        #expect(golden.count == ours.count)
        let agreement = Self.iou(ours, golden)
        #expect(agreement >= 0.97, "IoU with the reference mask \(agreement)")
    }

    /// One frame of each of twelve sequences: refinement never makes the masks worse on
    /// average (bench/background_eval.py measures all 141 frames).
    @Test func refinementDoesNotLowerTheMeanIoU() throws {
        let frames = [
            "blackswan_00020", "bmx-trees_00030", "breakdance_00040", "camel_00050", "car-roundabout_00020", "cows_00060",
            "dance-twirl_00030", "dog_00040", "goat_00050", "kite-surf_00020", "parkour_00050", "soapbox_00060",
        ]
        var raw = 0.0, refined = 0.0
        for name in frames {
            let image = try Self.frame(name)
            let truth = try Self.binary(Array(try Data(contentsOf: Self.davis.appendingPathComponent("masks/\(name).png"))))
            let map = try Self.remover.saliency(image)
            var plain = MatteOptions()
            plain.refine = false
            raw += Self.iou(
                try BackgroundRemover.matte(saliency: map, width: image.width, height: image.height, options: plain).alpha.map {
                    $0 >= 128
                }, truth)
            refined += Self.iou(
                try BackgroundRemover.matte(saliency: map, width: image.width, height: image.height, options: MatteOptions())
                    .alpha.map { $0 >= 128 }, truth)
        }
        raw /= Double(frames.count)
        refined /= Double(frames.count)
        #expect(raw > 0.5, "the model finds the objects: mean IoU \(raw)")
        #expect(refined >= raw - 0.001, "refined \(refined) against unrefined \(raw)")
    }

    /// A red disc on green, its edge a soft ramp whose pixels blend the two: without
    /// decontamination the edge of the cut-out is green-tinted; with it, red.
    @Test func decontaminationTakesTheOldBackgroundOutOfTheEdge() throws {
        let (width, height) = (200, 200)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var alpha = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let distance = ((Double(x) - 100) * (Double(x) - 100) + (Double(y) - 100) * (Double(y) - 100)).squareRoot()
                let a = min(1, max(0, (60 - distance) / 10))  // 1 inside 50 px, 0 beyond 60
                let index = y * width + x
                alpha[index] = UInt8((a * 255).rounded())
                pixels[index * 3] = 0  // blue
                pixels[index * 3 + 1] = UInt8((1 - a) * 200)  // green background
                pixels[index * 3 + 2] = UInt8(a * 220)  // red object
            }
        }
        let image = Image(bgr: pixels, width: width, height: height)
        let matte = Matte(width: width, height: height, alpha: alpha)
        func edgeGreen(decontaminate: Bool) throws -> Double {
            var options = CutoutOptions()
            options.decontaminate = decontaminate
            let cut = try Image.decode(try image.cutout(matte, options: options).bytes).bgrPixels
            var green = 0.0, count = 0
            for index in 0..<(width * height) where alpha[index] > 25 && alpha[index] < 230 {
                green += Double(cut[index * 3 + 1])
                count += 1
            }
            return green / Double(count)
        }
        let kept = try edgeGreen(decontaminate: false)
        let cleaned = try edgeGreen(decontaminate: true)
        #expect(kept > 50, "the blended edge is green-tinted: \(kept)")
        // The blend's green is (1 − a)·200; with the background's colour solved out, what
        // is left comes from the pixels of lowest alpha, which lean on the object's colour.
        #expect(cleaned < kept / 2, "decontaminated, the edge keeps the object's colour: \(cleaned) against \(kept)")
    }

    @Test func trimBackgroundsAndFormats() throws {
        let (width, height) = (120, 80)
        let image = Image(bgr: [UInt8](repeating: 90, count: width * height * 3), width: width, height: height)
        var alpha = [UInt8](repeating: 0, count: width * height)
        for y in 20..<40 { for x in 30..<70 { alpha[y * width + x] = 255 } }
        let matte = Matte(width: width, height: height, alpha: alpha)
        #expect(matte.bounds == Matte.Region(x: 30, y: 20, width: 40, height: 20))

        var options = CutoutOptions()
        options.trim = true
        options.padding = 5
        let trimmed = try image.cutout(matte, options: options)
        #expect((trimmed.width, trimmed.height) == (50, 30))
        #expect(Array(trimmed.bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        options.padding = 500  // kept inside the image
        let padded = try image.cutout(matte, options: options)
        #expect((padded.width, padded.height) == (width, height))

        var mask = CutoutOptions()
        mask.background = .mask
        let grey = try Image.decode(try image.cutout(matte, options: mask).bytes).bgrPixels
        #expect(grey[(25 * width + 40) * 3] == 255 && grey[(5 * width + 5) * 3] == 0)

        var coloured = CutoutOptions()
        coloured.background = try #require(CutoutOptions.Background.color(hex: "#00f"))
        coloured.format = .jpeg
        let composite = try Image.decode(try image.cutout(matte, options: coloured).bytes).bgrPixels
        let corner = Array(composite[0..<3])
        #expect(corner[0] > 240 && corner[1] < 15 && corner[2] < 15, "blue outside the object: \(corner)")
        let inside = composite[(30 * width + 50) * 3]
        #expect(abs(Int(inside) - 90) < 6)

        var webp = CutoutOptions()
        webp.format = .webp
        let encoded = try image.cutout(matte, options: webp).bytes
        #expect(Array(encoded[8..<12]) == Array("WEBP".utf8))
        var jpeg = CutoutOptions()
        jpeg.format = .jpeg
        #expect(throws: CutoutError.jpegHasNoAlpha) { try image.cutout(matte, options: jpeg) }

        let empty = Matte(width: width, height: height, alpha: [UInt8](repeating: 0, count: width * height))
        #expect(empty.bounds == nil)
        #expect(try image.cutout(empty, options: options).width == width)
    }

    @Test func colours() {
        for (text, expected) in [("#ffffff", (255, 255, 255)), ("0a0B0c", (10, 11, 12)), ("#f80", (255, 136, 0))] {
            guard case .color(let r, let g, let b) = CutoutOptions.Background.color(hex: text) else {
                Issue.record("\(text) is a colour")
                continue
            }
            #expect((Int(r), Int(g), Int(b)) == expected)
        }
        for text in ["", "#", "#12345", "white", "#gggggg", "#1234567"] {
            #expect(CutoutOptions.Background.color(hex: text) == nil, "\(text)")
        }
    }
}
