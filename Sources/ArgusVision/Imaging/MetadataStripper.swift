import Foundation

/// Removes metadata that can locate or identify a person (EXIF with its GPS block, XMP,
/// IPTC, PNG text chunks) from an encoded image without touching its pixels. A JPEG's
/// EXIF orientation survives as a minimal EXIF block holding that one tag, so the
/// image still displays upright.
public enum MetadataStripper {
    /// The image without its metadata.
    /// - Throws: `ImageError.corrupt` when the file's structure cannot be walked to its
    ///   end: such a file is refused rather than kept with its metadata.
    public static func stripped(_ bytes: [UInt8], format: ImageFormat, orientation: Int) throws(ImageError) -> [UInt8] {
        switch format {
        case .jpeg: return try jpeg(bytes, orientation: orientation)
        case .png: return try png(bytes)
        case .webp: return try webp(bytes)
        default: return bytes
        }
    }

    /// APP1 (EXIF, XMP) and APP13 (IPTC) segments go; everything from the scan on is
    /// copied as is. The first EXIF block becomes one holding only the orientation
    /// (when it is not upright), the one `ImageHeader` read.
    static func jpeg(_ bytes: [UInt8], orientation: Int) throws(ImageError) -> [UInt8] {
        try ByteReader.reading(bytes) { reader throws(ImageError) -> [UInt8] in
            var out = Splice(bytes)
            out.keep(0..<2)
            var sawEXIF = false
            try JPEGSegments.walk(reader) { item throws(ImageError) in
                switch item {
                case .standalone(_, let range):
                    out.keep(range)
                case .scan(let offset):
                    out.keep(offset..<bytes.count)
                case .segment(let marker, let range, let payload):
                    if marker == 0xE1 || marker == 0xED {
                        if !sawEXIF, JPEGSegments.isEXIF(marker: marker, payload: payload, in: reader) {
                            sawEXIF = true
                            // Only a real EXIF orientation (2-8; 1 is upright) is kept: it must fit its byte.
                            if (2...8).contains(orientation) { out.insert(orientationSegment(orientation)) }
                        }
                    } else {
                        out.keep(range)
                    }
                }
                return true
            }
            return out.assembled()
        }
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
    static func png(_ bytes: [UInt8]) throws(ImageError) -> [UInt8] {
        guard bytes.count > 8 else { throw .truncated("the PNG has no chunks") }
        var out = Splice(bytes)
        out.keep(0..<8)
        var offset = 8
        let dropped: Set<String> = ["eXIf", "tEXt", "iTXt", "zTXt"]
        while offset + 12 <= bytes.count {
            let length =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let end = offset + 12 + length
            guard end <= bytes.count else { throw .truncated("a PNG chunk runs past the end of the file") }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if !dropped.contains(type) { out.keep(offset..<end) }
            offset = end
            if type == "IEND" { return out.assembled() }
        }
        throw .truncated("the PNG has no IEND chunk")
    }

    /// EXIF and XMP chunks go, and VP8X stops announcing them.
    static func webp(_ bytes: [UInt8]) throws(ImageError) -> [UInt8] {
        guard bytes.count > 12 else { throw .truncated("the WebP has no chunks") }
        var chunks: [UInt8] = []
        var offset = 12
        while offset + 8 <= bytes.count {
            let size =
                Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            let end = offset + 8 + size + (size & 1)
            guard end <= bytes.count else { throw .truncated("a WebP chunk runs past the end of the file") }
            let type = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            var chunk = Array(bytes[offset..<end])
            if type == "VP8X", chunk.count > 8 { chunk[8] &= ~UInt8(0x0C) }
            if type != "EXIF" && type != "XMP " { chunks += chunk }
            offset = end
        }
        let riffSize = chunks.count + 4
        return Array("RIFF".utf8) + [
            UInt8(riffSize & 0xFF), UInt8(riffSize >> 8 & 0xFF), UInt8(riffSize >> 16 & 0xFF), UInt8(riffSize >> 24 & 0xFF),
        ]
            + Array("WEBP".utf8) + chunks
    }
}

/// The pieces of a stripped file: ranges of the original and inserted bytes. A file that
/// loses nothing comes back as the same array, with no copy (uploads are large).
struct Splice {
    private enum Piece {
        case original(Range<Int>)
        case inserted([UInt8])
    }

    private let bytes: [UInt8]
    private var pieces: [Piece] = []

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func keep(_ range: Range<Int>) {
        if case .original(let last)? = pieces.last, last.upperBound == range.lowerBound {
            pieces[pieces.count - 1] = .original(last.lowerBound..<range.upperBound)
        } else {
            pieces.append(.original(range))
        }
    }

    mutating func insert(_ inserted: [UInt8]) { pieces.append(.inserted(inserted)) }

    func assembled() -> [UInt8] {
        if pieces.count == 1, case .original(let range) = pieces[0], range == bytes.indices { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for piece in pieces {
            switch piece {
            case .original(let range): out += bytes[range]
            case .inserted(let inserted): out += inserted
            }
        }
        return out
    }
}
