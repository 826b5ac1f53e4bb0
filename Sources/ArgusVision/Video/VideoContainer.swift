/// The container formats Argus takes, recognised by their magic bytes before ffprobe runs
/// (so a text file named `.mp4` is refused without starting a process).
public enum VideoContainer: String, Sendable, CaseIterable {
    /// ISO base media: MP4, MOV, M4V, 3GP (an `ftyp` box, or a QuickTime `moov`/`mdat`/`wide` first).
    case isoMedia = "mp4"
    case avi
    /// Matroska and WebM (EBML).
    case matroska = "mkv"

    public static func sniff(_ prefix: [UInt8]) -> VideoContainer? {
        func ascii(_ offset: Int, _ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return prefix.count >= offset + bytes.count && Array(prefix[offset..<(offset + bytes.count)]) == bytes
        }
        if ascii(4, "ftyp") || ascii(4, "moov") || ascii(4, "mdat") || ascii(4, "wide") || ascii(4, "free") {
            return .isoMedia
        }
        if ascii(0, "RIFF") && ascii(8, "AVI ") { return .avi }
        if prefix.count >= 4 && Array(prefix[0..<4]) == [0x1A, 0x45, 0xDF, 0xA3] { return .matroska }
        return nil
    }
}
