import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// `GET/POST /reset-password`: the page the reset mail links to, a plain HTML form (no
/// script) that spends the token like `POST /api/v1/auth/password/reset` does.
struct PasswordResetPage: Sendable {
    let resets: PasswordResets

    static let template: MustacheTemplate = {
        // Compiled into the binary; a parse failure is a bug caught by the tests.
        try! MustacheTemplate(string: String(decoding: PackageResources.reset_password_mustache, as: UTF8.self))
    }()

    /// Inline styles and a form posting to this page; nothing else may load or run.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { request, _ in
            let token = request.uri.queryParameters["token"].map(String.init) ?? ""
            guard !token.isEmpty else { return Self.page(["error": "This link has no token: open the link of the mail."]) }
            return Self.page(["form": true, "token": token, "action": request.uri.path])
        }
        routes.post { request, context in try await submit(request, context: context) }
        return routes
    }

    func submit(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let fields = RequestBody.form(try await RequestBody.collect(request, context: context))
        let token = fields["token"] ?? ""
        let password = fields["new_password"] ?? ""
        let form: [String: Any] = ["form": true, "token": token, "action": request.uri.path]
        guard password == fields["confirm_password"] else {
            return Self.page(form.merging(["error": "The two passwords differ."]) { $1 }, status: .unprocessableContent)
        }
        do {
            try await resets.reset(token: token, newPassword: password)
            return Self.page(["done": true])
        } catch let error as APIError where error.code == "weak_password" {
            return Self.page(form.merging(["error": error.message]) { $1 }, status: .unprocessableContent)
        } catch let error as APIError where error.code == "invalid_reset_token" {
            return Self.page(
                ["error": "This link is invalid, has expired or was already used. Ask for a new one."], status: .badRequest)
        }
    }

    static func page(_ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: template.render(values))))
    }
}
