import ArgusServer
import HTTPTypes
import Testing

/// Credentials shaped to break their parsers, found in review: each is a 401, and the
/// server goes on serving.
@Suite struct HostileCredentialTests {
    @Test func apiKeysWithMultiByteCharactersAreRefusedNotTrapped() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            // Fewer characters than bytes: the prefix was cut by a character index past the end.
            for key in [
                "argus_" + String(repeating: "é", count: 7), "argus_" + String(repeating: "e\u{301}", count: 12),
                "argus_" + String(repeating: "x", count: 12),
            ] {
                for headers: HTTPFields in [[.apiKey: key], [.authorization: "Bearer " + key]] {
                    let response = try await api.request(.get, "/api/v1/users/me", headers: headers)
                    #expect(response.status == .unauthorized, "\(key)")
                    #expect(response.errorCode != nil, "\(key)")
                }
            }
            #expect(try await api.request(.get, "/api/v1/users/me", headers: user.bearer).status == .ok)
        }
    }
}
