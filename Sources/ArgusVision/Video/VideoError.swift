/// Why a video could not be accepted, decoded or written. Callers map the input errors to
/// 4xx answers and `toolMissing` / `toolFailed` to 5xx.
public enum VideoError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case notVideo(String)
    case corrupt(String)
    case tooLarge(String)
    case toolMissing(String)
    case toolFailed(String)
    case cancelled

    public var description: String {
        switch self {
        case .empty: "the video is empty"
        case .notVideo(let detail): "not a video: \(detail); send MP4, MOV, AVI, MKV or WebM"
        case .corrupt(let detail): "the video cannot be decoded: \(detail)"
        case .tooLarge(let detail): "the video is too large: \(detail)"
        case .toolMissing(let tool): "\(tool) is not installed (scripts/setup-system.sh installs it)"
        case .toolFailed(let detail): detail
        case .cancelled: "cancelled"
        }
    }

    /// Whether the fault is the input's (a 4xx), not the server's.
    public var isInputError: Bool {
        switch self {
        case .empty, .notVideo, .corrupt, .tooLarge: true
        case .toolMissing, .toolFailed, .cancelled: false
        }
    }
}
