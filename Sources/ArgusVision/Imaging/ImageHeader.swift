/// What an image's header says, read without decoding any pixel: enough to refuse
/// a decompression bomb before it costs memory.
public struct ImageHeader: Sendable, Hashable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    /// EXIF orientation 1-8 (1 when absent). Width and height are as stored, before it.
    public var orientation: Int

    /// Width and height once the orientation is applied.
    public var orientedSize: (width: Int, height: Int) {
        orientation >= 5 && orientation <= 8 ? (height, width) : (width, height)
    }

    /// Reads the header, or throws `ImageError` for empty, unsupported, truncated or corrupt data.
    public static func read(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> ImageHeader {
        guard !bytes.isEmpty else { throw .empty }
        guard let format = ImageFormat.sniff(bytes) else { throw .unsupportedFormat(found: "unknown") }
        guard format.isSupported else { throw .unsupportedFormat(found: format.mediaType) }
        var reader = ByteReader(bytes)
        let header: ImageHeader
        switch format {
        case .jpeg: header = try JPEGHeader.read(&reader)
        case .png: header = try readPNG(&reader)
        case .webp: header = try readWebP(&reader)
        case .bmp: header = try readBMP(&reader)
        default: throw .unsupportedFormat(found: format.mediaType)
        }
        guard header.width > 0, header.height > 0 else { throw .corrupt("the header gives a zero dimension") }
        return header
    }

    public static func read(_ bytes: [UInt8]) throws(ImageError) -> ImageHeader {
        try ByteReader.reading(bytes) { reader throws(ImageError) in try read(reader.bytes) }
    }

    private static func readPNG(_ reader: inout ByteReader) throws(ImageError) -> ImageHeader {
        // Signature (8), IHDR length (4), "IHDR" (4), width, height (big-endian).
        guard reader.count >= 24 else { throw .truncated("the PNG header is incomplete") }
        guard reader.ascii(at: 12, count: 4) == "IHDR" else { throw .corrupt("the PNG has no IHDR chunk") }
        let width = Int(reader.uint32BE(at: 16)), height = Int(reader.uint32BE(at: 20))
        guard width <= Int(Int32.max), height <= Int(Int32.max) else { throw .corrupt("invalid PNG dimensions") }
        return ImageHeader(format: .png, width: width, height: height, orientation: 1)
    }

    private static func readWebP(_ reader: inout ByteReader) throws(ImageError) -> ImageHeader {
        guard reader.count >= 30 else { throw .truncated("the WebP header is incomplete") }
        // The first chunk must hold what is read from it (the stripper keeps chunks whole).
        let chunkSize = Int(reader.uint32LE(at: 16))
        func require(_ size: Int) throws(ImageError) {
            guard chunkSize >= size else { throw .corrupt("the first WebP chunk is too short") }
        }
        switch reader.ascii(at: 12, count: 4) {
        case "VP8 ":
            try require(10)
            // Frame tag (3) + start code 9d 01 2a, then 14-bit width and height.
            guard reader[23] == 0x9D, reader[24] == 0x01, reader[25] == 0x2A else {
                throw .corrupt("bad VP8 start code")
            }
            return ImageHeader(
                format: .webp, width: Int(reader.uint16LE(at: 26) & 0x3FFF),
                height: Int(reader.uint16LE(at: 28) & 0x3FFF), orientation: 1)
        case "VP8L":
            try require(5)
            guard reader[20] == 0x2F else { throw .corrupt("bad VP8L signature") }
            let bits = reader.uint32LE(at: 21)
            return ImageHeader(
                format: .webp, width: Int(bits & 0x3FFF) + 1, height: Int((bits >> 14) & 0x3FFF) + 1, orientation: 1)
        case "VP8X":
            try require(10)
            let width = Int(reader.uint24LE(at: 24)) + 1, height = Int(reader.uint24LE(at: 27)) + 1
            return ImageHeader(format: .webp, width: width, height: height, orientation: 1)
        default:
            throw .corrupt("unknown WebP chunk")
        }
    }

    private static func readBMP(_ reader: inout ByteReader) throws(ImageError) -> ImageHeader {
        let dibSize = reader.uint32LE(at: 14)
        if dibSize == 12 {
            return ImageHeader(
                format: .bmp, width: Int(reader.uint16LE(at: 18)), height: Int(reader.uint16LE(at: 20)),
                orientation: 1)
        }
        guard dibSize >= 40, reader.count >= 26 else { throw .corrupt("unknown BMP header") }
        // A negative height means rows are stored top-down.
        let width = Int(Int32(bitPattern: reader.uint32LE(at: 18)))
        let height = Int(Int32(bitPattern: reader.uint32LE(at: 22))).magnitude
        guard width > 0 else { throw .corrupt("invalid BMP width") }
        return ImageHeader(format: .bmp, width: width, height: Int(height), orientation: 1)
    }
}

/// Reads the frame header from the JPEG's segments, picking up the EXIF orientation on the way.
enum JPEGHeader {
    static func read(_ reader: inout ByteReader) throws(ImageError) -> ImageHeader {
        var orientation: Int?
        var header: ImageHeader?
        try JPEGSegments.walk(reader) { item throws(ImageError) in
            switch item {
            case .standalone:
                return true
            case .scan:
                throw .corrupt("the JPEG has no frame header")
            case .segment(let marker, _, let payload):
                if isStartOfFrame(marker) {
                    guard payload.count >= 5 else { throw .corrupt("short JPEG frame header") }
                    let height = Int(reader.uint16BE(at: payload.lowerBound + 1)),
                        width = Int(reader.uint16BE(at: payload.lowerBound + 3))
                    header = ImageHeader(format: .jpeg, width: width, height: height, orientation: orientation ?? 1)
                    return false
                }
                // Only the first EXIF block counts, as in every viewer.
                if orientation == nil, JPEGSegments.isEXIF(marker: marker, payload: payload, in: reader) {
                    orientation = EXIFOrientation.read(reader, tiffStart: payload.lowerBound + 6, end: payload.upperBound) ?? 1
                }
                return true
            }
        }
        guard let header else { throw .corrupt("the JPEG has no frame header") }
        return header
    }

    private static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }
}

/// Reads tag 0x0112 from IFD0 of an EXIF (TIFF) block; nil when absent or malformed.
enum EXIFOrientation {
    static func read(_ reader: ByteReader, tiffStart: Int, end: Int) -> Int? {
        guard tiffStart + 8 <= end else { return nil }
        let littleEndian: Bool
        switch reader.ascii(at: tiffStart, count: 2) {
        case "II": littleEndian = true
        case "MM": littleEndian = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at + 2 <= end else { return nil }
            return Int(littleEndian ? reader.uint16LE(at: at) : reader.uint16BE(at: at))
        }
        func u32(_ at: Int) -> Int? {
            guard at + 4 <= end else { return nil }
            return Int(littleEndian ? reader.uint32LE(at: at) : reader.uint32BE(at: at))
        }
        guard let ifdOffset = u32(tiffStart + 4), let count = u16(tiffStart + ifdOffset) else { return nil }
        let entries = tiffStart + ifdOffset + 2
        for index in 0..<count {
            let entry = entries + index * 12
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112, let value = u16(entry + 8), (1...8).contains(value) { return value }
        }
        return nil
    }
}

/// Bounds-checked little helpers over raw bytes. Callers check `count` first.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Runs `body` over an array's bytes (`withUnsafeBytes` keeps typed throws untyped).
    static func reading<T>(_ array: [UInt8], _ body: (ByteReader) throws(ImageError) -> T) throws(ImageError) -> T {
        let result: Result<T, ImageError> = array.withUnsafeBytes { raw in
            do throws(ImageError) { return .success(try body(ByteReader(raw))) } catch { return .failure(error) }
        }
        return try result.get()
    }

    var count: Int { bytes.count }

    subscript(_ index: Int) -> UInt8 { index >= 0 && index < bytes.count ? bytes[index] : 0 }

    func ascii(at offset: Int, count: Int) -> String {
        guard count > 0 else { return "" }
        return String(decoding: (0..<count).map { self[offset &+ $0] }, as: UTF8.self)
    }
    func uint16BE(at o: Int) -> UInt16 { UInt16(self[o]) << 8 | UInt16(self[o + 1]) }
    func uint16LE(at o: Int) -> UInt16 { UInt16(self[o + 1]) << 8 | UInt16(self[o]) }
    func uint24LE(at o: Int) -> UInt32 { UInt32(self[o + 2]) << 16 | UInt32(self[o + 1]) << 8 | UInt32(self[o]) }
    func uint32BE(at o: Int) -> UInt32 { UInt32(uint16BE(at: o)) << 16 | UInt32(uint16BE(at: o + 2)) }
    func uint32LE(at o: Int) -> UInt32 { UInt32(uint16LE(at: o + 2)) << 16 | UInt32(uint16LE(at: o)) }
}
