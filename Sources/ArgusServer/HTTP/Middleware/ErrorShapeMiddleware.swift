import Hummingbird
import NIOCore

/// Answers every failure of a route group in another API's own error shape (the
/// compatibility APIs: `{"error": ...}` for the Open Inference Protocol, DeepStack's
/// `{"success": false, ...}`), with the status and headers (`Retry-After`, say) of the
/// one error mapping, `APIError.init(_:)`.
struct ErrorShapeMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext
    /// The JSON body of a failure.
    let body: @Sendable (APIError) -> String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = APIError(error)
            // The message of a 500 reveals nothing; the log keeps the error itself.
            if failure.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(describing: error))])
            }
            var headers = failure.headers
            headers[.contentType] = "application/json"
            return Response(
                status: failure.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body(failure))))
        }
    }

}
