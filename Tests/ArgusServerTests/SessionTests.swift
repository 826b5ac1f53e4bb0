import ArgusServer
import ArgusTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Sign-up, login (JSON and form), refresh rotation, logout and password changes over live HTTP.
@Suite struct SessionTests {
    @Test func signupNormalisesEmailAndRefusesDuplicatesAndWeakInput() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let email = APIClient.uniqueEmail("alice")
            let created = try await api.request(
                .post, "/api/v1/auth/signup", json: ["email": "  " + email.uppercased() + " ", "password": "a fine passphrase"])
            #expect(created.status == .created)
            #expect(created.json["email"] as? String == email)
            #expect(created.json["role"] as? String == "user")
            #expect(created.json["password_hash"] == nil && !String(buffer: created.body).contains("$2"))
            let again = try await api.request(
                .post, "/api/v1/auth/signup", json: ["email": email, "password": "another passphrase"])
            #expect(again.status == .conflict && again.errorCode == "email_taken")
            for (body, code) in [
                (["email": "not-an-email", "password": "a fine passphrase"], "invalid_email"),
                (["email": APIClient.uniqueEmail(), "password": "short"], "weak_password"),
                (["email": APIClient.uniqueEmail(), "password": "password123"], "weak_password"),
                (["email": APIClient.uniqueEmail(), "password": String(repeating: "é", count: 40)], "weak_password"),
            ] {
                let response = try await api.request(.post, "/api/v1/auth/signup", json: body)
                #expect(response.status == .unprocessableContent && response.errorCode == code, "\(body)")
            }
            let missing = try await api.request(.post, "/api/v1/auth/signup", json: ["email": APIClient.uniqueEmail()])
            #expect(missing.status == .badRequest && missing.errorCode == "invalid_json")
        }
    }

    @Test func loginByJSONAndFormThenMeRefreshAndLogout() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let form = try await api.form(
                "/api/v1/auth/login", [("username", user.email), ("password", user.password), ("grant_type", "password")])
            #expect(form.status == .ok)
            #expect(form.json["token_type"] as? String == "bearer")
            #expect(form.json["expires_in"] as? Int == 900)

            let me = try await api.request(.get, "/api/v1/users/me", headers: user.bearer)
            #expect(me.status == .ok && me.json["id"] as? String == user.id)

            // Rotation: the refresh token is single-use and each use gives a new pair.
            let refreshed = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": user.refreshToken])
            #expect(refreshed.status == .ok)
            let next = try #require(refreshed.json["refresh_token"] as? String)
            let nextAccess = try #require(refreshed.json["access_token"] as? String)
            #expect(next != user.refreshToken && nextAccess != user.accessToken)

            // Logout ends the access token at once and revokes the session's refresh tokens.
            let logout = try await api.request(
                .post, "/api/v1/auth/logout", json: ["refresh_token": next], headers: [.authorization: "Bearer " + nextAccess])
            #expect(logout.status == .noContent)
            let after = try await api.request(.get, "/api/v1/users/me", headers: [.authorization: "Bearer " + nextAccess])
            #expect(after.status == .unauthorized && after.errorCode == "invalid_credentials")
            let refreshAfterLogout = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": next])
            #expect(refreshAfterLogout.status == .unauthorized)
            // The other session (the form login) is untouched.
            let otherAccess = try #require(form.json["access_token"] as? String)
            let other = try await api.request(.get, "/api/v1/users/me", headers: [.authorization: "Bearer " + otherAccess])
            #expect(other.status == .ok)
        }
    }

    @Test func reusingARefreshTokenRevokesItsWholeFamily() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let first = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": user.refreshToken])
            let second = try #require(first.json["refresh_token"] as? String)
            // An attacker replays the spent token: refused, and the legitimate successor dies too.
            let replay = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": user.refreshToken])
            #expect(replay.status == .unauthorized && replay.errorCode == "refresh_token_reused")
            let successor = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": second])
            #expect(successor.status == .unauthorized && successor.errorCode == "refresh_token_reused")
            let garbage = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": "rt_nonsense"])
            #expect(garbage.status == .unauthorized && garbage.errorCode == "invalid_refresh_token")
            // A new login starts a new, healthy family.
            let again = try await api.logIn(email: user.email, password: user.password, id: user.id)
            let fresh = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": again.refreshToken])
            #expect(fresh.status == .ok)
        }
    }

    @Test func concurrentRefreshesWithOneTokenLetOnlyOneThrough() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": user.refreshToken]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count <= 1)
            #expect(statuses.filter { $0 == .unauthorized }.count >= 3)
        }
    }

    @Test func failedLoginsLookTheSameAndLockTheEmail() async throws {
        let configuration = try await TestServer.configuration {
            $0.accounts.loginMaxFailures = 3
            $0.accounts.loginLockout = 60
        }
        try await TestServer.run(configuration) { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let unknown = try await api.request(
                .post, "/api/v1/auth/login", json: ["email": APIClient.uniqueEmail(), "password": "whatever it is"])
            let wrong = try await api.request(
                .post, "/api/v1/auth/login", json: ["email": user.email, "password": "not the password"])
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            #expect(unknown.errorCode == wrong.errorCode)
            #expect(
                (unknown.json["error"] as? [String: Any])?["message"] as? String == (wrong.json["error"] as? [String: Any])?[
                    "message"] as? String)

            for _ in 0..<2 {
                _ = try await api.request(.post, "/api/v1/auth/login", json: ["email": user.email, "password": "still wrong"])
            }
            // Locked now: even the right password is refused until the lockout ends.
            let locked = try await api.request(
                .post, "/api/v1/auth/login", json: ["email": user.email, "password": user.password])
            #expect(locked.status == .tooManyRequests && locked.errorCode == "login_locked")
            #expect(Int(locked.header("Retry-After") ?? "") ?? 0 > 0)
            // Other accounts are not affected.
            let other = try await api.signUp()
            let otherLogin = try await api.request(
                .post, "/api/v1/auth/login", json: ["email": other.email, "password": other.password])
            #expect(otherLogin.status == .ok)
        }
    }

    @Test func passwordChangeEndsSessionsAndProfileUpdates() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let wrong = try await api.request(
                .post, "/api/v1/users/me/password",
                json: ["current_password": "nope nope nope", "new_password": "brand new secret"],
                headers: user.bearer)
            #expect(wrong.status == .forbidden && wrong.errorCode == "wrong_password")
            let weak = try await api.request(
                .post, "/api/v1/users/me/password", json: ["current_password": user.password, "new_password": "1234"],
                headers: user.bearer)
            #expect(weak.status == .unprocessableContent)
            let changed = try await api.request(
                .post, "/api/v1/users/me/password",
                json: ["current_password": user.password, "new_password": "brand new secret"],
                headers: user.bearer)
            #expect(changed.status == .noContent)
            let oldRefresh = try await api.request(.post, "/api/v1/auth/refresh", json: ["refresh_token": user.refreshToken])
            #expect(oldRefresh.status == .unauthorized)
            let oldPassword = try await api.request(
                .post, "/api/v1/auth/login", json: ["email": user.email, "password": user.password])
            #expect(oldPassword.status == .unauthorized)
            let relogged = try await api.logIn(email: user.email, password: "brand new secret", id: user.id)

            let other = try await api.signUp()
            let renamed = try await api.request(.patch, "/api/v1/users/me", json: ["name": "Renamed"], headers: relogged.bearer)
            #expect(renamed.status == .ok && renamed.json["name"] as? String == "Renamed")
            let taken = try await api.request(.patch, "/api/v1/users/me", json: ["email": other.email], headers: relogged.bearer)
            #expect(taken.status == .conflict && taken.errorCode == "email_taken")
            let blank = try await api.request(.patch, "/api/v1/users/me", json: ["name": "  "], headers: relogged.bearer)
            #expect(blank.status == .unprocessableContent)
        }
    }

    @Test func signupCanBeTurnedOff() async throws {
        try await TestServer.run(try await TestServer.configuration { $0.accounts.allowSignup = false }) { client, _ in
            let response = try await APIClient(client: client).request(
                .post, "/api/v1/auth/signup", json: ["email": APIClient.uniqueEmail(), "password": "a fine passphrase"])
            #expect(response.status == .forbidden && response.errorCode == "signup_disabled")
        }
    }
}
