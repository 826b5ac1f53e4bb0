import NIOCore

@testable import ArgusServer

/// Every JSON request body the API reads, decoded from the same input, with the
/// checks the routes run on what decoded.
enum JSONBodyFuzzing {
    static func run(_ bytes: [UInt8]) {
        let body = ByteBuffer(bytes: bytes)
        if let signup = try? RequestBody.decodeJSON(AuthController.SignupRequest.self, from: body) {
            _ = PasswordPolicy.problem(with: signup.password, email: signup.email)
            _ = EmailAddress.normalised(signup.email)
        }
        _ = try? RequestBody.decodeJSON(AuthController.LoginRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(AuthController.RefreshRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(AuthController.LogoutRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(AuthController.ForgotPasswordRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(AuthController.ResetPasswordRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(APIKeysController.CreateRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(UsersController.UpdateRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(UsersController.PasswordRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(AdminController.UpdateRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(JobsController.EnqueueRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(WebhooksController.CreateRequest.self, from: body)
        _ = try? RequestBody.decodeJSON(BatchDetectController.IdsRequest.self, from: body)
        _ = RequestBody.form(body)
    }
}
