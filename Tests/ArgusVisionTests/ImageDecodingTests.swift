import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

@Suite struct ImageDecodingTests {
    func decode(_ bytes: [UInt8], limits: ImageLimits = .default) -> Result<Image, ImageError> {
        do {
            return .success(try Image.decode(bytes, limits: limits))
        } catch {
            return .failure(error)
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
        #expect(decode([]) == .failure(.empty))
    }

    @Test func wrongMagicBytesAreRejectedNamingWhatWasFound() {
        #expect(decode(Array("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8)) == .failure(.unsupportedFormat(found: "image/gif")))
        #expect(decode(Array("<!DOCTYPE html><html><body>hi</body></html>".utf8)) == .failure(.unsupportedFormat(found: "text/html")))
        #expect(decode(Array("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".utf8)) == .failure(.unsupportedFormat(found: "image/svg+xml")))
        #expect(decode([0x00, 0x01, 0x02, 0x03, 0x04]) == .failure(.unsupportedFormat(found: "unknown")))
    }

    @Test func truncatedImagesAreRejected() throws {
        let jpeg = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        for length in [3, 100, jpeg.count / 2, jpeg.count - 200] {
            guard case .failure(let error) = decode(Array(jpeg.prefix(length))) else {
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
            guard case .failure = decode(Array(png.prefix(length))) else {
                Issue.record("a PNG cut to \(length) bytes decoded")
                continue
            }
        }
    }

    @Test func hugeDimensionsAreRefusedFromTheHeaderAlone() {
        let bomb = SyntheticImages.pngHeader(width: 20000, height: 20000)
        #expect(decode(bomb) == .failure(.tooLarge(width: 20000, height: 20000, maxWidth: 8192, maxHeight: 8192)))
        let header = try? ImageHeader.read(bomb)
        #expect(header?.width == 20000)
    }

    @Test func tooSmallImagesAreRefusedWhenALimitIsSet() throws {
        let limits = ImageLimits(minWidth: 1000, minHeight: 1000)
        #expect(decode(try TestEnvironment.sampleBytes("darknet_dog.jpg"), limits: limits)
            == .failure(.tooSmall(width: 768, height: 576, minWidth: 1000, minHeight: 1000)))
    }

    @Test func exifOrientationIsApplied() throws {
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
