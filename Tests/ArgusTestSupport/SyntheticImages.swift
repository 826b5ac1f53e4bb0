import Foundation

/// Hand-built image bytes for bad-input tests.
public enum SyntheticImages {
    /// A PNG signature and IHDR chunk claiming `width` × `height`, with no pixel data.
    public static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        bytes += Array("IHDR".utf8)
        bytes += bigEndian(width) + bigEndian(height)
        bytes += [8, 2, 0, 0, 0]  // 8-bit RGB, deflate, no filter, no interlace
        bytes += [0, 0, 0, 0]  // CRC (never reached: the size check comes first)
        return bytes
    }

    /// A JPEG with an APP1 EXIF segment carrying `orientation`, inserted after SOI.
    /// `trailing` goes after the IFD, inside the EXIF block (where GPS data would sit).
    public static func withEXIFOrientation(_ jpeg: [UInt8], orientation: UInt16, trailing: [UInt8] = []) -> [UInt8] {
        var tiff: [UInt8] = Array("MM".utf8) + [0x00, 0x2A] + bigEndian(UInt32(8))
        tiff += [0x00, 0x01]  // one IFD entry
        tiff += [0x01, 0x12, 0x00, 0x03] + bigEndian(UInt32(1)) + [UInt8(orientation >> 8), UInt8(orientation & 0xFF), 0, 0]
        tiff += bigEndian(UInt32(0))  // no next IFD
        tiff += trailing
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = UInt16(payload.count + 2)
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Array(jpeg[0..<2]) + segment + Array(jpeg[2...])
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
