import AsyncKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A failure answered as `{"error": {"code", "message", "request_id"}}`.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code: code, message: message) }

    /// The JSON error body; the request id ties it to the server's log line.
    func response(requestId: String) -> Response {
        struct Body: Encodable {
            struct Detail: Encodable {
                let code: String
                let message: String
                let request_id: String
            }
            let error: Detail
        }
        let data = (try? JSONEncoder().encode(Body(error: .init(code: code, message: message, request_id: requestId))))
            ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"error\"}}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Maps any error escaping a handler to its answer: our own errors as they are,
    /// Hummingbird's (404, 405, 413 ...) with a code from their status, anything else as 500.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is ConnectionPoolTimeoutError:
            // Every database connection stayed busy for the whole pool timeout: overload, not a fault.
            return APIError(
                .serviceUnavailable, code: "busy", message: "the database is busy; retry shortly", headers: [.retryAfter: "2"])
        case let error as any HTTPResponseError:
            let status = error.status
            let message = (error as? HTTPError)?.body ?? status.reasonPhrase
            return APIError(status, code: code(for: status), message: message)
        default:
            return APIError(.internalServerError, code: "internal", message: "internal server error")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "unprocessable"
        case 429: "rate_limited"
        case 503: "unavailable"
        default: status.code >= 500 ? "internal" : "error"
        }
    }
}
