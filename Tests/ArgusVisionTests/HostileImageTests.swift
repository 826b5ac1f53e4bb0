import ArgusCore
import ArgusTestSupport
import Foundation
import Testing

@testable import ArgusVision

/// Inputs that crashed, fooled or leaked through the image parsers before they were
/// fixed (found by review and by `make fuzz`; the raw inputs are in Fuzz/corpus/ too).
@Suite struct HostileImageTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// `FF 00` is no marker: libjpeg scans on and finds the 65535x65535 frame header
    /// hidden inside the "segment" a naive walk skips, so the size check would be fooled.
    @Test func aFrameHeaderHiddenBehindFF00IsRefused() {
        let bytes = Self.hex(
            "FFD8 FF00 0015 FFC0 0011 08FFFF FFFF 03 012200 021101 031101 FFC0 0011 08 0010 0010 03 012200 021101 031101")
        #expect(throws: ImageError.self) { try ImageHeader.read(bytes) }
    }

    /// A second SOI: the header reader skipped it while the stripper read it as a
    /// segment, so they saw different segments (the stripped file gained an orientation).
    /// Both now walk the same segments: before the frame header the reader refuses it,
    /// after it the stripper does (libjpeg refuses a second SOI too).
    @Test func aSecondStartOfImageIsRefusedByReaderAndStripperAlike() throws {
        let bytes = try [UInt8](
            Data(contentsOf: TestEnvironment.repoRoot.appendingPathComponent("Fuzz/corpus/metadata/regression-jpeg-second-soi")))
        #expect(try ImageHeader.read(bytes).orientation == 1)
        #expect(throws: ImageError.self) { try MetadataStripper.stripped(bytes, format: .jpeg, orientation: 1) }
        let simple = Self.hex("FFD8 FFD8 FFC0 0011 08 0010 0010 03 012200 021101 031101 FFDA 0002 00")
        #expect(throws: ImageError.corrupt("the JPEG has a second start-of-image marker")) { try ImageHeader.read(simple) }
    }

    /// An out-of-range orientation traps no more in `UInt8(orientation)`: EXIF just goes.
    @Test func anyOrientationValueStripsWithoutTrapping() throws {
        let exif = Self.hex("FFE1 0022 457869660000 49492A00 08000000 0100 1201 0300 01000000 06000000 00000000")
        let jpeg = Self.hex("FFD8") + exif + Self.hex("FFC0 0011 08 0010 0010 03 012200 021101 031101 FFDA 0002 00 FFD9")
        #expect(try ImageHeader.read(jpeg).orientation == 6)
        for orientation in [-1, 0, 1, 9, 300, Int.max] {
            let stripped = try MetadataStripper.stripped(jpeg, format: .jpeg, orientation: orientation)
            #expect(try ImageHeader.read(stripped).orientation == 1, "\(orientation)")
        }
        #expect(try ImageHeader.read(try MetadataStripper.stripped(jpeg, format: .jpeg, orientation: 6)).orientation == 6)
    }

    /// A file whose chunks cannot be walked to the end is refused, not kept with its metadata.
    @Test func unwalkableFilesAreRefusedRatherThanKeptWithTheirMetadata() {
        let png = Self.hex("89504E470D0A1A0A 0000000D 49484452 00000010 00000010 0802000000 00000000 7FFFFFFF 74455874")
        #expect(throws: ImageError.self) { try MetadataStripper.stripped(png, format: .png, orientation: 1) }
        let webp = Array("RIFF".utf8) + [30, 0, 0, 0] + Array("WEBPEXIF".utf8) + [0xFF, 0, 0, 0, 1]
        #expect(throws: ImageError.self) { try MetadataStripper.stripped(webp, format: .webp, orientation: 1) }
    }

    /// Model-server answers whose shape overflows, is negative or disagrees with the data.
    @Test func openInferenceShapesThatOverflowAreBadResponses() {
        for shape in ["[4611686018427387904,4]", "[3037000500,3037000500]", "[-1,-4]"] {
            let body = #"{"outputs":[{"name":"circles","shape":\#(shape),"datatype":"FP32","data":[1,2,3,4]}]}"#
            #expect(throws: (any Error).self, "\(shape)") { try OpenInferenceClient.outputs(from: Data(body.utf8)) }
        }
    }

    /// NaN and infinite confidences are labelled and drawn without trapping in `Int(_:)`.
    @Test func nonFiniteConfidencesAreDrawn() throws {
        let image = Image(bgr: [UInt8](repeating: 128, count: 32 * 32 * 3), width: 32, height: 32)
        for confidence in [Float.nan, .infinity, -.infinity, 1e30] {
            let box = Detection(
                classId: Int.min, label: "x", confidence: confidence, box: BoundingBox(x1: 1, y1: 1, x2: 20, y2: 20))
            _ = try image.annotated(
                with: [box], circles: [Image.Circle(centerX: .nan, centerY: .infinity, radius: 1e30, label: "c")])
        }
    }
}
