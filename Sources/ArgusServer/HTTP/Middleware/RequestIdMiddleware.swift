import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    static let requestId = HTTPField.Name("X-Request-ID")!
}

/// Gives every request an id (the client's `X-Request-ID` when it is sane), echoes it
/// on the response, turns every error into the single JSON error shape, and logs one
/// line per request (method, path, route, status, duration, user id, request id), and counts it
/// in the metrics.
struct RequestIdMiddleware: RouterMiddleware {
    typealias Context = ArgusRequestContext
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        let requestId = Self.sanitised(request.headers[.requestId]) ?? UUID().uuidString.lowercased()
        context.requestId = requestId
        // One request id per log line: ours replaces the one Hummingbird made up (the log
        // handler writes it as `request_id`).
        context.logger[metadataKey: "hb.request.id"] = .string(requestId)
        let start = ContinuousClock.now
        metrics.requestStarted()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = APIError(error)
            if apiError.code == "client_aborted" {
                context.logger.info("client aborted the request", metadata: ["path": .string(request.uri.path)])
            } else if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(describing: error))])
            }
            response = apiError.response(requestId: requestId)
        }
        response.headers[.requestId] = requestId
        let elapsed = start.duration(to: .now)
        // Hummingbird names the endpoint of an unmatched path "NotFound".
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.requestFinished(
            method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "route": .string(route), "status": .stringConvertible(response.status.code),
                "duration_ms": .stringConvertible((milliseconds * 1000).rounded() / 1000),
                "user_id": .string(context.audit.userId ?? "-"),
            ])
        return response
    }

    /// 1-128 characters of letters, digits, '-', '_', '.', or nil.
    static func sanitised(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.count <= 128,
            value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else { return nil }
        return value
    }
}
