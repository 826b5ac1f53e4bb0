import ArgusServer
import ArgusTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import Testing

/// Forged, tampered, expired, `alg: none` and wrong-key tokens, and misuse of refresh tokens.
@Suite struct TokenSecurityTests {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: IDClaim
        var typ: String
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func sign(_ claims: Claims, secret: String, digest: DigestAlgorithm = .sha256) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: digest)
        return try await keys.sign(claims)
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func onlyGenuineUnexpiredAccessTokensAreAccepted() async throws {
        let configuration = try await TestServer.configuration()
        let secret = try #require(configuration.jwtSecret)
        try await TestServer.run(configuration) { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            func me(_ token: String) async throws -> APIClient.Response {
                try await api.request(.get, "/api/v1/users/me", headers: [.authorization: "Bearer " + token])
            }
            #expect(try await me(user.accessToken).status == .ok)

            let valid = Claims(
                sub: .init(value: user.id), exp: .init(value: Date().addingTimeInterval(600)), iat: .init(value: Date()),
                jti: .init(value: UUID().uuidString), typ: "access")
            // The same secret signs a token the test made itself: accepted, so the rejections below are meaningful.
            #expect(try await me(try await Self.sign(valid, secret: secret)).status == .ok)

            var expired = valid
            expired.exp = .init(value: Date().addingTimeInterval(-5))
            var notAccess = valid
            notAccess.typ = "refresh"
            var otherUser = valid
            otherUser.sub = .init(value: UUID().uuidString)
            let parts = user.accessToken.split(separator: ".").map(String.init)
            let forgedPayload = Self.base64URL(
                #"{"sub":"\#(UUID().uuidString)","exp":\#(Int(Date().timeIntervalSince1970) + 600),"iat":0,"jti":"x","typ":"access"}"#
            )
            let rejected: [(String, String)] = [
                ("expired", try await Self.sign(expired, secret: secret)),
                ("wrong key", try await Self.sign(valid, secret: String(repeating: "k", count: 48))),
                ("HS512 with the right key", try await Self.sign(valid, secret: secret, digest: .sha512)),
                ("not an access token", try await Self.sign(notAccess, secret: secret)),
                ("unknown user", try await Self.sign(otherUser, secret: secret)),
                ("tampered payload", parts[0] + "." + forgedPayload + "." + parts[2]),
                ("tampered signature", parts[0] + "." + parts[1] + "." + String(parts[2].reversed())),
                ("alg none", Self.base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."),
                ("alg none with signature", Self.base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2]),
                ("refresh token as access token", user.refreshToken),
                ("garbage", "not.a.token"),
                ("empty", ""),
            ]
            for (name, token) in rejected {
                let response = try await me(token)
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.header("WWW-Authenticate") == "Bearer", "\(name)")
            }
            let basic = try await api.request(.get, "/api/v1/users/me", headers: [.authorization: "Basic dXNlcjpwYXNz"])
            #expect(basic.status == .unauthorized)
            let none = try await api.request(.get, "/api/v1/users/me")
            #expect(none.status == .unauthorized && none.errorCode == "unauthorized")
        }
    }

    @Test func detectNeedsACredentialUnlessAnonymousIsAllowed() async throws {
        let image = MultipartBody.file(try TestEnvironment.sampleBytes("darknet_dog.jpg"))
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let anonymous = try await client.execute(
                uri: "/api/v1/detect", method: .post, headers: [.contentType: image.contentType], body: image.finished())
            #expect(anonymous.status == .unauthorized)
            let user = try await api.signUp()
            var headers = user.bearer
            headers[.contentType] = image.contentType
            let signedIn = try await client.execute(
                uri: "/api/v1/detect", method: .post, headers: headers, body: image.finished())
            #expect(signedIn.status == .ok)
        }
    }
}
