import Foundation
import JWTKit

/// The claims of an access token. `typ` keeps any other JWT we might sign from being
/// accepted as one.
struct AccessTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var jti: IDClaim
    var typ: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard typ == "access" else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not an access token") }
    }
}

/// Signs and verifies HS256 access tokens with the configured secret.
public struct AccessTokens: Sendable {
    public let lifetime: TimeInterval
    private let keys: JWTKeyCollection

    public init(secret: String, lifetime: TimeInterval) async {
        self.lifetime = lifetime
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    struct Issued {
        let token: String
        let jti: String
        let expiresAt: Date
    }

    func issue(userId: UUID, now: Date = Date()) async throws -> Issued {
        let jti = UUID().uuidString.lowercased()
        let expiresAt = now.addingTimeInterval(lifetime)
        let claims = AccessTokenClaims(
            sub: .init(value: userId.uuidString.lowercased()), exp: .init(value: expiresAt), iat: .init(value: now),
            jti: .init(value: jti), typ: "access")
        return Issued(token: try await keys.sign(claims), jti: jti, expiresAt: expiresAt)
    }

    /// The claims of a valid token; nil for anything forged, tampered, expired or not HS256.
    func verify(_ token: String) async -> AccessTokenClaims? {
        // Only HS256 is ever issued: refuse any other header before the library sees it
        // (this is what shuts out `alg: none`).
        guard Self.algorithm(of: token) == "HS256" else { return nil }
        return try? await keys.verify(token, as: AccessTokenClaims.self)
    }

    static func algorithm(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }
}
