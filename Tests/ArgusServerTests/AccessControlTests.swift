import ArgusServer
import ArgusTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

/// API keys and scopes, one user against another's data, admin routes, per-user limits
/// and body limits.
@Suite struct AccessControlTests {
    @Test func apiKeysAreShownOnceWorkByBothHeadersAndRespectScopes() async throws {
        let image = MultipartBody.file(try TestEnvironment.sampleBytes("darknet_dog.jpg"))
        try await TestServer.run { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let created = try await api.request(
                .post, "/api/v1/api-keys", json: ["name": "ci", "scopes": ["read"]], headers: user.bearer)
            #expect(created.status == .created)
            let key = try #require(created.json["key"] as? String)
            let prefix = try #require(created.json["prefix"] as? String)
            #expect(key.hasPrefix(prefix + "_") && key.count > 50)

            let listed = try await api.request(.get, "/api/v1/api-keys", headers: user.bearer)
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["prefix"] as? String == prefix && items[0]["key"] == nil)
            #expect(!String(buffer: listed.body).contains(String(key.suffix(20))))

            for headers: HTTPFields in [[.apiKey: key], [.authorization: "Bearer " + key]] {
                let me = try await api.request(.get, "/api/v1/users/me", headers: headers)
                #expect(me.status == .ok && me.json["id"] as? String == user.id)
            }
            // Read-only: cannot run a model or create keys.
            var detectHeaders: HTTPFields = [.apiKey: key]
            detectHeaders[.contentType] = image.contentType
            let detect = try await client.execute(
                uri: "/api/v1/detect", method: .post, headers: detectHeaders, body: image.finished())
            #expect(detect.status == .forbidden)
            let escalate = try await api.request(.post, "/api/v1/api-keys", json: ["name": "more"], headers: [.apiKey: key])
            #expect(escalate.status == .forbidden && escalate.errorCode == "insufficient_scope")
            let adminScope = try await api.request(
                .post, "/api/v1/api-keys", json: ["name": "x", "scopes": ["admin"]], headers: user.bearer)
            #expect(adminScope.status == .forbidden)
            let badScope = try await api.request(
                .post, "/api/v1/api-keys", json: ["name": "x", "scopes": ["root"]], headers: user.bearer)
            #expect(badScope.status == .unprocessableContent && badScope.errorCode == "invalid_scope")

            // A wrong secret with a real prefix, and an expired key, are refused.
            let forged = prefix + "_" + String(repeating: "A", count: 43)
            #expect(try await api.request(.get, "/api/v1/users/me", headers: [.apiKey: forged]).status == .unauthorized)
            let writer = try await api.request(
                .post, "/api/v1/api-keys", json: ["name": "w", "expires_in_days": 1], headers: user.bearer)
            let writerKey = try #require(writer.json["key"] as? String)
            #expect(try await api.request(.get, "/api/v1/users/me", headers: [.apiKey: writerKey]).status == .ok)
            try await (dependencies.database.sql).update("api_keys").set(
                "expires_at", to: SQLBind(Date().addingTimeInterval(-60))
            )
            .where("prefix", .equal, SQLBind(try #require(writer.json["prefix"] as? String))).run()
            let expired = try await api.request(.get, "/api/v1/users/me", headers: [.apiKey: writerKey])
            #expect(expired.status == .unauthorized)

            let id = try #require(created.json["id"] as? String)
            #expect(try await api.request(.delete, "/api/v1/api-keys/\(id)", headers: user.bearer).status == .noContent)
            #expect(try await api.request(.get, "/api/v1/users/me", headers: [.apiKey: key]).status == .unauthorized)
        }
    }

    @Test func oneUserCannotReachAnothersData() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let alice = try await api.signUp()
            let bob = try await api.signUp()
            let aliceKey = try await api.request(.post, "/api/v1/api-keys", json: ["name": "alice"], headers: alice.bearer)
            let aliceKeyId = try #require(aliceKey.json["id"] as? String)

            // Bob can neither see Alice nor her keys, nor delete them: the same 404 as for nothing.
            let profile = try await api.request(.get, "/api/v1/users/\(alice.id)", headers: bob.bearer)
            #expect(profile.status == .notFound)
            let missing = try await api.request(.get, "/api/v1/users/\(UUID().uuidString)", headers: bob.bearer)
            #expect(missing.status == .notFound && missing.errorCode == profile.errorCode)
            let bobKeys = try await api.request(.get, "/api/v1/api-keys", headers: bob.bearer)
            #expect((bobKeys.json["items"] as? [Any])?.isEmpty == true)
            let delete = try await api.request(.delete, "/api/v1/api-keys/\(aliceKeyId)", headers: bob.bearer)
            #expect(delete.status == .notFound)
            let aliceKeys = try await api.request(.get, "/api/v1/api-keys", headers: alice.bearer)
            #expect((aliceKeys.json["items"] as? [Any])?.count == 1)
            // Bob's changes touch only Bob.
            _ = try await api.request(.patch, "/api/v1/users/me", json: ["name": "Bob"], headers: bob.bearer)
            let aliceMe = try await api.request(.get, "/api/v1/users/me", headers: alice.bearer)
            #expect(aliceMe.json["name"] as? String == "Test")
            #expect(try await api.request(.get, "/api/v1/users/\(alice.id)", headers: alice.bearer).status == .ok)
            // Admin routes are closed to users.
            #expect(try await api.request(.get, "/api/v1/admin/users", headers: bob.bearer).status == .forbidden)
            let disable = try await api.request(
                .patch, "/api/v1/admin/users/\(alice.id)", json: ["disabled": true], headers: bob.bearer)
            #expect(disable.status == .forbidden)
            #expect(try await api.request(.get, "/api/v1/users/me", headers: alice.bearer).status == .ok)
        }
    }

    @Test func adminsListAndDisableAccounts() async throws {
        try await TestServer.run { client, dependencies in
            let api = APIClient(client: client)
            let admin = try await api.admin(dependencies)
            let user = try await api.signUp()
            let userKey = try await api.request(.post, "/api/v1/api-keys", json: ["name": "k"], headers: user.bearer)
            let key = try #require(userKey.json["key"] as? String)

            let page = try await api.request(.get, "/api/v1/admin/users?limit=1", headers: admin.bearer)
            #expect(page.status == .ok && page.json["total"] as? Int == 2 && (page.json["items"] as? [Any])?.count == 1)
            #expect(try await api.request(.get, "/api/v1/admin/users?limit=1000", headers: admin.bearer).status == .badRequest)
            #expect(try await api.request(.get, "/api/v1/users/\(user.id)", headers: admin.bearer).status == .ok)
            let selfLockout = try await api.request(
                .patch, "/api/v1/admin/users/\(admin.id)", json: ["disabled": true], headers: admin.bearer)
            #expect(selfLockout.status == .badRequest && selfLockout.errorCode == "self_lockout")

            let disabled = try await api.request(
                .patch, "/api/v1/admin/users/\(user.id)", json: ["disabled": true], headers: admin.bearer)
            #expect(disabled.status == .ok && disabled.json["disabled"] as? Bool == true)
            // Everything the account held stops working at once.
            let token = try await api.request(.get, "/api/v1/users/me", headers: user.bearer)
            #expect(token.status == .unauthorized && token.errorCode == "account_disabled")
            #expect(try await api.request(.get, "/api/v1/users/me", headers: [.apiKey: key]).status == .unauthorized)
            #expect(
                try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": user.refreshToken]).status
                    == .unauthorized)
            let login = try await api.request(
                .post, "/api/v1/auth/login", json: ["email": user.email, "password": user.password])
            #expect(login.status == .unauthorized)

            let enabled = try await api.request(
                .patch, "/api/v1/admin/users/\(user.id)", json: ["disabled": false, "role": "admin"], headers: admin.bearer)
            #expect(enabled.status == .ok && enabled.json["role"] as? String == "admin")
            let back = try await api.logIn(email: user.email, password: user.password, id: user.id)
            #expect(try await api.request(.get, "/api/v1/admin/users", headers: back.bearer).status == .ok)
            // An admin's read-only key does not carry the admin scope.
            let readKey = try await api.request(
                .post, "/api/v1/api-keys", json: ["name": "r", "scopes": ["read"]], headers: admin.bearer)
            let readOnly = try #require(readKey.json["key"] as? String)
            #expect(try await api.request(.get, "/api/v1/admin/users", headers: [.apiKey: readOnly]).status == .forbidden)
        }
    }

    @Test func rateLimitsArePerUserForAuthenticatedCallers() async throws {
        let configuration = try await TestServer.configuration {
            $0.rateLimits.api = RateLimit(capacity: 3, period: .seconds(3600))
        }
        try await TestServer.run(configuration) { client, _ in
            let api = APIClient(client: client)
            let alice = try await api.signUp()
            let bob = try await api.signUp()
            for expected in ["2", "1", "0"] {
                let response = try await api.request(.get, "/api/v1/users/me", headers: alice.bearer)
                #expect(response.status == .ok && response.header("X-RateLimit-Remaining") == expected)
                #expect(response.header("X-RateLimit-Limit") == "3" && response.header("X-RateLimit-Reset") != nil)
            }
            let limited = try await api.request(.get, "/api/v1/users/me", headers: alice.bearer)
            #expect(limited.status == .tooManyRequests && limited.header("Retry-After") != nil)
            #expect(limited.header("X-RateLimit-Remaining") == "0")
            // Same address, another user: a bucket of its own.
            let other = try await api.request(.get, "/api/v1/users/me", headers: bob.bearer)
            #expect(other.status == .ok && other.header("X-RateLimit-Remaining") == "2")
            // Errors of limited routes carry the headers too.
            let missing = try await api.request(.get, "/api/v1/users/\(UUID().uuidString)", headers: bob.bearer)
            #expect(missing.status == .notFound && missing.header("X-RateLimit-Remaining") == "1")
            // A stale credential does not stand in the way of health checks or a new login.
            let stale: HTTPFields = [.authorization: "Bearer stale.token.value"]
            #expect(try await api.request(.get, "/health/live", headers: stale).status == .ok)
            let relogin = try await api.request(
                .post, "/api/v1/auth/login", json: ["email": bob.email, "password": bob.password], headers: stale)
            #expect(relogin.status == .ok)
        }
    }

    @Test func overLongBodiesAreRefusedBeforeTheyAreRead() async throws {
        let configuration = try await TestServer.configuration { $0.maxJSONBytes = 4096 }
        try await TestServer.run(configuration, transport: .live) { client, _ in
            let api = APIClient(client: client)
            let big = try await api.request(
                .post, "/api/v1/auth/signup",
                json: [
                    "email": APIClient.uniqueEmail(), "password": "a fine passphrase",
                    "name": String(repeating: "x", count: 10_000),
                ])
            #expect(big.status == .contentTooLarge && big.errorCode == "payload_too_large")
            // A client that announces 50 MB and sends a few bytes is answered at once:
            // the server does not wait for (or buffer) the rest.
            let port = try #require(client.port)
            for path in ["/api/v1/auth/login", "/api/v1/detect"] {
                let head =
                    "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n{\"a\":"
                let answer = try await RawHTTP.exchange(port: port, request: head, timeoutSeconds: 10)
                #expect(answer.hasPrefix("HTTP/1.1 413"), "\(path): \(answer.prefix(80))")
            }
        }
    }
}
