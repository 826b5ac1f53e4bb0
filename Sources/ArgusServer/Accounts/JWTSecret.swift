import Foundation

/// The HMAC secret for access tokens: `ARGUS_JWT_SECRET`, or the file named by
/// `ARGUS_JWT_SECRET_FILE`, or one generated on first start and kept in
/// `<data>/jwt-secret` (mode 0600). There is no built-in default.
public enum JWTSecret {
    /// jwt-kit refuses shorter HMAC keys (and so do we: the process would die).
    public static let minimumBytes = 32

    public static func resolve(secret: String?, file: String?, dataDirectory: String) throws -> String {
        if let secret { return try checked(secret, source: "ARGUS_JWT_SECRET") }
        let path = file ?? dataDirectory + "/jwt-secret"
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            return try checked(text, source: file == nil ? path : "ARGUS_JWT_SECRET_FILE=\(path)")
        }
        if file != nil { throw ConfigurationError(description: "ARGUS_JWT_SECRET_FILE=\(path) does not exist") }
        let generated = SecretTokens.random(bytes: 48)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((generated + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw ConfigurationError(description: "cannot write the generated JWT secret to \(path)") }
        return generated
    }

    private static func checked(_ secret: String, source: String) throws -> String {
        guard secret.utf8.count >= minimumBytes else {
            throw ConfigurationError(
                description: "\(source) is too short: a JWT secret needs at least \(minimumBytes) bytes")
        }
        return secret
    }
}
