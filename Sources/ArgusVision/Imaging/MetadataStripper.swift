import Foundation

/// Removes metadata that can locate or identify a person (EXIF with its GPS block, XMP,
/// IPTC, PNG text chunks) from an encoded image without touching its pixels. A JPEG's
/// EXIF orientation survives as a minimal EXIF block holding that one tag, so the
/// image still displays upright.
public enum MetadataStripper {
    public static func stripped(_ bytes: [UInt8], format: ImageFormat, orientation: Int) -> [UInt8] {
        switch format {
        case .jpeg: return jpeg(bytes, orientation: orientation) ?? bytes
        case .png: return png(bytes) ?? bytes
        case .webp: return webp(bytes) ?? bytes
        default: return bytes
        }
    }

    /// APP1 (EXIF, XMP) and APP13 (IPTC) segments go; everything from the scan on is copied as is.
    static func jpeg(_ bytes: [UInt8], orientation: Int) -> [UInt8]? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        var offset = 2
        var wroteOrientation = false
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }
            // Start of scan (or a marker without length): the rest is image data.
            if marker == 0xDA || marker == 0xD9 || (0xD0...0xD7).contains(marker) || marker == 0x01 {
                out += bytes[offset...]
                return out
            }
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            let segment = bytes[offset..<(offset + 2 + length)]
            if marker == 0xE1 || marker == 0xED {
                // Only a real EXIF orientation (2-8; 1 is upright) is kept: it must fit its byte.
                if marker == 0xE1, !wroteOrientation, (2...8).contains(orientation), length > 8,
                    String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self) == "Exif"
                {
                    out += orientationSegment(orientation)
                    wroteOrientation = true
                }
            } else {
                out += segment
            }
            offset += 2 + length
        }
        return nil
    }

    /// An APP1 segment with a little-endian TIFF header and one IFD entry: Orientation.
    static func orientationSegment(_ orientation: Int) -> [UInt8] {
        let tiff: [UInt8] = [
            0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,  // "II", 42, IFD at 8
            0x01, 0x00,  // one entry
            0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, UInt8(orientation), 0x00, 0x00, 0x00,  // 0x0112 SHORT 1
            0x00, 0x00, 0x00, 0x00,  // no next IFD
        ]
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// eXIf and the text chunks go (they may carry EXIF or XMP).
    static func png(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count > 8 else { return nil }
        var out = Array(bytes[0..<8])
        var offset = 8
        let dropped: Set<String> = ["eXIf", "tEXt", "iTXt", "zTXt"]
        while offset + 12 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let end = offset + 12 + length
            guard length >= 0, end <= bytes.count else { return nil }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if !dropped.contains(type) { out += bytes[offset..<end] }
            offset = end
            if type == "IEND" { return out }
        }
        return nil
    }

    /// EXIF and XMP chunks go, and VP8X stops announcing them.
    static func webp(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count > 12 else { return nil }
        var chunks: [UInt8] = []
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            let end = offset + 8 + size + (size & 1)
            guard end <= bytes.count else { return nil }
            let type = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            var chunk = Array(bytes[offset..<end])
            if type == "VP8X", chunk.count > 8 { chunk[8] &= ~UInt8(0x0C) }
            if type != "EXIF" && type != "XMP " { chunks += chunk }
            offset = end
        }
        let riffSize = chunks.count + 4
        return Array("RIFF".utf8) + [UInt8(riffSize & 0xFF), UInt8(riffSize >> 8 & 0xFF), UInt8(riffSize >> 16 & 0xFF), UInt8(riffSize >> 24 & 0xFF)]
            + Array("WEBP".utf8) + chunks
    }
}
