import Crypto
import Foundation

/// Expiring links to stored files and their renderings, `GET /files/{token}`: the local
/// equivalent of presigned URLs, so that a browser `<img>` can show them without a
/// header. The token carries what it opens, its content type and the expiry, and an
/// HMAC-SHA256 over them; nothing is stored.
public struct SignedURLs: Sendable {
    private let key: SymmetricKey
    public let lifetime: TimeInterval

    /// `secret` is the server secret; a purpose label keeps these MACs apart from any other use.
    public init(secret: String, lifetime: TimeInterval) {
        key = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(
                for: Data("argus signed files".utf8), using: SymmetricKey(data: Data(secret.utf8))))
        self.lifetime = lifetime
    }

    /// What a link opens.
    public enum Subject: Equatable, Sendable {
        /// A stored file, by its blob key.
        case blob(String)
        /// An image's annotated rendering (JPEG).
        case annotated(imageId: UUID)
        /// An image's thumbnail, its longer side `size` pixels (JPEG).
        case thumbnail(imageId: UUID, size: Int)
        /// An image's background removal, `settings` as `CutoutSettings.token` writes them.
        case cutout(imageId: UUID, settings: String)
        /// A processed video's annotated MP4 or thumbnail.
        case video(videoId: UUID, file: VideoFileKind)

        public enum VideoFileKind: String, Sendable { case annotated, thumbnail }

        var text: String {
            switch self {
            case .blob(let key): key
            case .annotated(let id): "annotated:" + id.lowercased
            case .thumbnail(let id, let size): "thumbnail:\(id.lowercased):\(size)"
            case .cutout(let id, let settings): "cutout:\(id.lowercased):\(settings)"
            case .video(let id, let file): "video:\(id.lowercased):\(file.rawValue)"
            }
        }

        init?(_ text: Substring) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            switch (parts.count, parts.first) {
            case (1, _): self = .blob(String(text))
            case (2, "annotated"):
                guard let id = UUID(uuidString: String(parts[1])) else { return nil }
                self = .annotated(imageId: id)
            case (3, "thumbnail"):
                guard let id = UUID(uuidString: String(parts[1])), let size = Int(parts[2]) else { return nil }
                self = .thumbnail(imageId: id, size: size)
            case (3, "cutout"):
                guard let id = UUID(uuidString: String(parts[1])), !parts[2].isEmpty else { return nil }
                self = .cutout(imageId: id, settings: String(parts[2]))
            case (3, "video"):
                guard let id = UUID(uuidString: String(parts[1])), let file = VideoFileKind(rawValue: String(parts[2])) else {
                    return nil
                }
                self = .video(videoId: id, file: file)
            default: return nil
            }
        }
    }

    public struct Grant: Equatable, Sendable {
        public let subject: Subject
        public let contentType: String
        public let expires: Int
    }

    /// `/files/<token>` for a stored file, valid for the configured lifetime.
    public func path(blobKey: String, contentType: String, now: Date = Date()) -> String {
        path(.blob(blobKey), contentType: contentType, now: now)
    }

    /// `/files/<token>` for `subject`, valid for the configured lifetime.
    public func path(_ subject: Subject, contentType: String, now: Date = Date()) -> String {
        let expires = Int(now.timeIntervalSince1970 + lifetime)
        let payload = "\(subject.text)|\(contentType)|\(expires)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)
        return "/files/" + SecretTokens.base64URL(Data(payload.utf8)) + "." + SecretTokens.base64URL(Data(mac))
    }

    /// The grant of a genuine, unexpired token; nil otherwise.
    public func verify(_ token: String, now: Date = Date()) -> Grant? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.decode(parts[0]), let mac = Self.decode(parts[1]),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key),
            let text = String(data: payload, encoding: .utf8)
        else { return nil }
        let fields = text.split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 3, let subject = Subject(fields[0]), let expires = Int(fields[2]),
            Double(expires) > now.timeIntervalSince1970
        else { return nil }
        return Grant(subject: subject, contentType: String(fields[1]), expires: expires)
    }

    static func decode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
