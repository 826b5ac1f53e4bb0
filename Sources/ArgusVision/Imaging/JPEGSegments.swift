/// A JPEG's markers from its start to its first scan, read as libjpeg reads them. The
/// header reader and the metadata stripper both walk them here, so that what Argus checks,
/// what it strips and what the decoder sees are the same segments.
enum JPEGSegments {
    enum Item {
        /// A marker without a length (RSTn, TEM); `range` covers its fill bytes and itself.
        case standalone(marker: UInt8, range: Range<Int>)
        /// A marker segment; `range` covers its fill bytes, the marker, the length and
        /// the payload, `payload` what follows the length.
        case segment(marker: UInt8, range: Range<Int>, payload: Range<Int>)
        /// Start of scan at `offset`: entropy-coded data follows, and the walk ends.
        case scan(offset: Int)
    }

    /// Calls `visit` for each item in order until it returns false or the scan begins.
    /// - Throws: `ImageError.truncated` or `.corrupt` for framing libjpeg would refuse or
    ///   read differently (a stray byte where a marker belongs, `FF 00`, a second SOI).
    static func walk(_ reader: ByteReader, _ visit: (Item) throws(ImageError) -> Bool) throws(ImageError) {
        guard reader.count >= 2, reader[0] == 0xFF, reader[1] == 0xD8 else { throw .corrupt("the JPEG does not start with SOI") }
        var offset = 2
        while true {
            guard offset + 1 < reader.count else { throw .truncated("the JPEG ends before its frame header") }
            guard reader[offset] == 0xFF else { throw .corrupt("bad JPEG marker at byte \(offset)") }
            let start = offset
            // Markers may be preceded by any number of 0xFF fill bytes.
            var marker = reader[offset + 1]
            while marker == 0xFF {
                offset += 1
                guard offset + 1 < reader.count else { throw .truncated("the JPEG ends inside a marker") }
                marker = reader[offset + 1]
            }
            offset += 2
            switch marker {
            case 0x00:
                // No marker: libjpeg skips it and scans on, so a frame header hidden in
                // the "segment" we would skip is the one it decodes.
                throw .corrupt("bad JPEG marker at byte \(offset - 2)")
            case 0xD8:
                throw .corrupt("the JPEG has a second start-of-image marker")
            case 0xD9:
                throw .corrupt("the JPEG has no frame header")
            case 0x01, 0xD0...0xD7:
                guard try visit(.standalone(marker: marker, range: start..<offset)) else { return }
            case 0xDA:
                _ = try visit(.scan(offset: offset - 2))
                return
            default:
                guard offset + 2 <= reader.count else { throw .truncated("the JPEG ends inside a segment") }
                let length = Int(reader.uint16BE(at: offset))
                guard length >= 2 else { throw .corrupt("bad JPEG segment length") }
                guard offset + length <= reader.count else { throw .truncated("the JPEG ends inside a segment") }
                let payload = (offset + 2)..<(offset + length)
                offset += length
                guard try visit(.segment(marker: marker, range: start..<offset, payload: payload)) else { return }
            }
        }
    }

    /// Whether a segment is an EXIF block: APP1 whose payload starts `Exif\0\0`.
    static func isEXIF(marker: UInt8, payload: Range<Int>, in reader: ByteReader) -> Bool {
        marker == 0xE1 && payload.count > 6 && reader.ascii(at: payload.lowerBound, count: 4) == "Exif"
    }
}
