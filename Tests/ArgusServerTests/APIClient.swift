import ArgusServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

/// JSON requests against the live test server, and accounts made through the real API.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    struct Response {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: ByteBuffer

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
        }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    }

    /// A signed-in user.
    struct User: Sendable {
        let id: String
        let email: String
        let password: String
        let accessToken: String
        let refreshToken: String

        var bearer: HTTPFields { [.authorization: "Bearer " + accessToken] }
    }

    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: [String: Any]? = nil, headers: HTTPFields = [:]
    ) async throws -> Response {
        var fields = headers
        var body: ByteBuffer?
        if let json {
            fields[.contentType] = "application/json"
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        }
        let response = try await client.execute(uri: uri, method: method, headers: fields, body: body)
        return Response(status: response.status, headers: response.headers, body: response.body)
    }

    func form(_ uri: String, _ fields: [(String, String)]) async throws -> Response {
        let text = fields.map { name, value in
            name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)
        }.joined(separator: "&")
        let response = try await client.execute(
            uri: uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: text))
        return Response(status: response.status, headers: response.headers, body: response.body)
    }

    static func uniqueEmail(_ name: String = "user") -> String {
        "\(name)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
    }

    /// Signs up and logs in (JSON) a new user.
    func signUp(email: String = uniqueEmail(), password: String = "correct horse battery") async throws -> User {
        let created = try await request(
            .post, "/api/v1/auth/signup", json: ["email": email, "password": password, "name": "Test"])
        try #require(created.status == .created, "signup: \(String(buffer: created.body))")
        let id = try #require(created.json["id"] as? String)
        return try await logIn(email: email, password: password, id: id)
    }

    func logIn(email: String, password: String, id: String) async throws -> User {
        let login = try await request(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
        try #require(login.status == .ok, "login: \(String(buffer: login.body))")
        return User(
            id: id, email: email, password: password, accessToken: try #require(login.json["access_token"] as? String),
            refreshToken: try #require(login.json["refresh_token"] as? String))
    }

    /// Creates an admin directly in the database (as `argus users create --admin` does) and signs in.
    func admin(_ dependencies: ServerDependencies) async throws -> User {
        let email = Self.uniqueEmail("admin")
        let password = "admin password 42"
        let id = try await Accounts(services: dependencies.accounts).createUser(
            email: email, password: password, name: "Admin", admin: true)
        return try await logIn(email: email, password: password, id: id.uuidString.lowercased())
    }
}

extension HTTPField.Name {
    static let apiKey = HTTPField.Name("X-API-Key")!
}
