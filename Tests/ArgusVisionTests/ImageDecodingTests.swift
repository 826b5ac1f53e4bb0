import ArgusCore
import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

@Suite struct ImageDecodingTests {
    /// The error decoding gives, or nil when it succeeds.
    func failure(_ bytes: [UInt8], limits: ImageLimits = .default) -> ImageError? {
        do {
            _ = try Image.decode(bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesJPEGAndPNGWithTheirHeaderDimensions() throws {
        let jpeg = try Image.decode(try TestEnvironment.sampleBytes("darknet_dog.jpg"))
        #expect(jpeg.width == 768 && jpeg.height == 576)
        let png = try Image.decode(try TestEnvironment.sampleBytes("skimage_coffee.png"))
        #expect(png.width == 600 && png.height == 400)
    }

    @Test func greyscaleJPEGBecomesThreeChannels() throws {
        let grey = try Image.decode(try TestEnvironment.sampleBytes("scrfd_solvay_conference_1927.jpg"))
        #expect(grey.bgrPixels.count == grey.width * grey.height * 3)
    }

    @Test func encodedImagesDecodeBackToTheSamePixels() throws {
        let original = try Image.decode(try TestEnvironment.sampleBytes("skimage_coffee.png"))
        let png = try original.encoded(as: .png)
        #expect(try ImageHeader.read(png).format == .png)
        #expect(try Image.decode(png).bgrPixels == original.bgrPixels)
        let jpeg = try original.encoded(as: .jpeg(quality: 85))
        let back = try Image.decode(jpeg)
        #expect(back.width == original.width && back.height == original.height)
    }

    @Test func webpAndBMPHeadersAndPixels() throws {
        let folder = TestEnvironment.repoRoot.appendingPathComponent("Tests/ArgusVisionTests/Fixtures")
        for (name, format) in [("checker.webp", ImageFormat.webp), ("checker.bmp", .bmp), ("checker-lossless.webp", .webp)] {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            let header = try ImageHeader.read(bytes)
            #expect(header.format == format, "\(name)")
            #expect(header.width == 64 && header.height == 48, "\(name)")
            let image = try Image.decode(bytes)
            #expect(image.width == 64 && image.height == 48, "\(name)")
        }
    }

    @Test func emptyDataIsRejected() {
        #expect(failure([]) == .empty)
    }

    @Test func wrongMagicBytesAreRejectedNamingWhatWasFound() {
        #expect(failure(Array("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8)) == .unsupportedFormat(found: "image/gif"))
        #expect(failure(Array("<!DOCTYPE html><html><body>hi</body></html>".utf8)) == .unsupportedFormat(found: "text/html"))
        #expect(
            failure(Array("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".utf8)) == .unsupportedFormat(found: "image/svg+xml"))
        #expect(failure([0x00, 0x01, 0x02, 0x03, 0x04]) == .unsupportedFormat(found: "unknown"))
    }

    @Test func truncatedImagesAreRejected() throws {
        let jpeg = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        for length in [3, 100, jpeg.count / 2, jpeg.count - 200] {
            guard let error = failure(Array(jpeg.prefix(length))) else {
                Issue.record("a JPEG cut to \(length) bytes decoded")
                continue
            }
            switch error {
            case .truncated, .corrupt: break
            default: Issue.record("unexpected error \(error) for a JPEG cut to \(length) bytes")
            }
        }
        let png = try TestEnvironment.sampleBytes("skimage_coffee.png")
        for length in [20, 40, png.count / 2] {
            guard failure(Array(png.prefix(length))) != nil else {
                Issue.record("a PNG cut to \(length) bytes decoded")
                continue
            }
        }
    }

    @Test func hugeDimensionsAreRefusedFromTheHeaderAlone() {
        let bomb = SyntheticImages.pngHeader(width: 20000, height: 20000)
        #expect(failure(bomb) == .tooLarge(width: 20000, height: 20000, maxWidth: 8192, maxHeight: 8192))
        let header = try? ImageHeader.read(bomb)
        #expect(header?.width == 20000)
    }

    @Test func tooSmallImagesAreRefusedWhenALimitIsSet() throws {
        let limits = ImageLimits(minWidth: 1000, minHeight: 1000)
        #expect(
            failure(try TestEnvironment.sampleBytes("darknet_dog.jpg"), limits: limits)
                == .tooSmall(width: 768, height: 576, minWidth: 1000, minHeight: 1000))
    }

    @Test func exifOrientationIsApplied() throws {
        // The dog photo carries its own EXIF block (orientation 1); ours goes first and wins.
        let jpeg = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        let upright = try Image.decode(jpeg)
        let rotated = SyntheticImages.withEXIFOrientation(jpeg, orientation: 6)
        let header = try ImageHeader.read(rotated)
        #expect(header.orientation == 6)
        let image = try Image.decode(rotated)
        #expect(image.width == 576 && image.height == 768)
        // Orientation 6 rotates 90° clockwise: the source's bottom-left pixel ends up top-left.
        let source = upright.bgrPixels, turned = image.bgrPixels
        let bottomLeft = (575 * 768) * 3
        #expect(Array(turned[0..<3]) == Array(source[bottomLeft..<(bottomLeft + 3)]))
    }
}

@Suite struct AnnotationTests {
    @Test func drawingBoxesAndCirclesChangesOnlyACopy() throws {
        let image = try Image.decode(try TestEnvironment.sampleBytes("skimage_coffee.png"))
        let original = image.bgrPixels
        let box = Detection(classId: 0, label: "cup", confidence: 0.9, box: BoundingBox(x1: 100, y1: 100, x2: 300, y2: 250))
        let drawn = try image.annotated(
            with: [box], circles: [Image.Circle(centerX: 450, centerY: 200, radius: 60, label: "plate")])
        #expect(image.bgrPixels == original)
        let pixels = drawn.bgrPixels
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(pixels[((y * image.width + x) * 3)..<((y * image.width + x) * 3 + 3)]) }
        func originalPixel(_ x: Int, _ y: Int) -> [UInt8] {
            Array(original[((y * image.width + x) * 3)..<((y * image.width + x) * 3 + 3)])
        }
        // On the box's left edge and on the circle's rightmost point.
        #expect(pixel(100, 200) != originalPixel(100, 200))
        #expect(pixel(510, 200) != originalPixel(510, 200))
        // Far from both, nothing changes.
        #expect(pixel(20, 380) == originalPixel(20, 380))
    }
}
