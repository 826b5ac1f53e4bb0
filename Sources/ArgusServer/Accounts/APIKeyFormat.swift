import Foundation

/// API keys look like `argus_<12 hex prefix>_<43 base64url secret>`. The prefix finds
/// the row; the SHA-256 of the whole key is what is compared.
enum APIKeyFormat {
    static let marker = "argus_"
    static let prefixLength = 12

    static func generate() -> (key: String, prefix: String) {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<prefixLength / 2).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
            .joined()
        let prefix = marker + hex
        return (prefix + "_" + SecretTokens.random(bytes: 32), prefix)
    }

    /// The prefix of a well-formed key, or nil.
    static func prefix(of key: String) -> String? {
        guard key.hasPrefix(marker), key.utf8.count > marker.utf8.count + prefixLength + 1, key.utf8.count <= 128 else {
            return nil
        }
        // The byte count says nothing about the character count: multi-byte characters
        // can leave fewer than 19 of them, and indexing past the end would trap.
        guard let separator = key.index(key.startIndex, offsetBy: marker.count + prefixLength, limitedBy: key.endIndex),
            separator != key.endIndex
        else { return nil }
        let prefix = String(key[..<separator])
        guard key[separator] == "_", prefix.dropFirst(marker.count).allSatisfy(\.isHexDigit) else { return nil }
        return prefix
    }

    static func looksLikeKey(_ text: String) -> Bool { text.hasPrefix(marker) }
}
