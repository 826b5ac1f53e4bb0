import FluentKit
import Foundation
import Hummingbird

/// `POST /api/v1/auth/signup|login|refresh|logout` and `/auth/password/forgot|reset`.
struct AuthController {
    let services: AccountServices
    let mailer: Mailer
    let jobs: JobQueue

    var sessions: Sessions { Sessions(services: services) }
    var resets: PasswordResets { PasswordResets(services: services, mailer: mailer, jobs: jobs) }

    /// The routes that hand out credentials: limited per address, never authenticated.
    var signInRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post("signup") { request, context in try await signup(request, context: context) }
        routes.post("login") { request, context in try await login(request, context: context) }
        routes.post("refresh") { request, context in try await refresh(request, context: context) }
        routes.post("password/forgot") { request, context in try await forgotPassword(request, context: context) }
        routes.post("password/reset") { request, context in try await resetPassword(request, context: context) }
        return routes
    }

    var sessionRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post("logout") { request, context in try await logout(request, context: context) }
        return routes
    }

    struct SignupRequest: JSONRequestBody {
        let email: String
        let password: String
        let name: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case email, password, name }
    }

    func signup(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        guard services.settings.allowSignup else {
            throw APIError(
                .forbidden, code: "signup_disabled", message: "sign-up is disabled on this server; ask an administrator")
        }
        let body = try await RequestBody.json(SignupRequest.self, from: request, context: context)
        let user = try await Accounts(services: services).createUser(
            email: body.email, password: body.password, name: body.name, role: .user)
        if let recipient = user.mailAddress,
            try await mailer.queue(.welcome, to: recipient, values: [:], on: services.database.db)
        {
            await jobs.notify()
        }
        return try JSONResponse.make(UserResponse(user), status: .created)
    }

    struct ForgotPasswordRequest: JSONRequestBody {
        let email: String

        enum CodingKeys: String, CodingKey, CaseIterable { case email }
    }

    /// Always `202`: whether the e-mail has an account is told only to its mailbox.
    func forgotPassword(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let body = try await RequestBody.json(ForgotPasswordRequest.self, from: request, context: context)
        try await resets.requestReset(email: body.email)
        return try JSONResponse.make(
            ["status": "accepted", "message": "if an account has this e-mail address, a reset link is on its way"],
            status: .accepted)
    }

    struct ResetPasswordRequest: JSONRequestBody {
        let token: String
        let new_password: String

        enum CodingKeys: String, CodingKey, CaseIterable { case token, new_password }
    }

    func resetPassword(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let body = try await RequestBody.json(ResetPasswordRequest.self, from: request, context: context)
        try await resets.reset(token: body.token, newPassword: body.new_password)
        return Response(status: .noContent)
    }

    struct LoginRequest: JSONRequestBody {
        let email: String?
        let username: String?
        let password: String

        enum CodingKeys: String, CodingKey, CaseIterable { case email, username, password }
    }

    /// OAuth2's password form (`username`, `password`) or JSON (`email`, `password`).
    func login(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let body = try await RequestBody.collect(request, context: context)
        let email: String
        let password: String
        if RequestBody.isForm(request) {
            let fields = RequestBody.form(body)
            guard let username = fields["username"] ?? fields["email"], let secret = fields["password"] else {
                throw APIError.badRequest("invalid_form", "send the fields 'username' and 'password'")
            }
            if let grant = fields["grant_type"], !grant.isEmpty, grant != "password" {
                throw APIError.badRequest("unsupported_grant_type", "grant_type must be 'password'")
            }
            (email, password) = (username, secret)
        } else {
            let json = try RequestBody.decodeJSON(LoginRequest.self, from: body)
            guard let name = json.email ?? json.username else {
                throw APIError.badRequest("invalid_json", "missing field 'email'")
            }
            (email, password) = (name, json.password)
        }
        let pair = try await sessions.login(email: email, password: password)
        context.audit.userId = nil
        return try JSONResponse.make(TokenResponse(pair))
    }

    struct RefreshRequest: JSONRequestBody {
        let refresh_token: String

        enum CodingKeys: String, CodingKey, CaseIterable { case refresh_token }
    }

    func refresh(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let body = try await RequestBody.collect(request, context: context)
        let token: String
        if RequestBody.isForm(request) {
            guard let value = RequestBody.form(body)["refresh_token"] else {
                throw APIError.badRequest("invalid_form", "send the field 'refresh_token'")
            }
            token = value
        } else {
            token = try RequestBody.decodeJSON(RefreshRequest.self, from: body).refresh_token
        }
        return try JSONResponse.make(TokenResponse(try await sessions.refresh(token)))
    }

    struct LogoutRequest: JSONRequestBody {
        let refresh_token: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case refresh_token }
    }

    func logout(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.read)
        let body = try await RequestBody.collect(request, context: context)
        let refreshToken =
            body.readableBytes == 0 ? nil : try RequestBody.decodeJSON(LogoutRequest.self, from: body).refresh_token
        try await sessions.logout(identity: identity, refreshToken: refreshToken)
        return Response(status: .noContent)
    }
}
