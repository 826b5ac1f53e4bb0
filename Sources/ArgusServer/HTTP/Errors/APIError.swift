import AsyncKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A failure as the client sees it: a status, a stable code and a message that says
/// what to fix, answered as `{"error": {"code", "message", "request_id"}}`.
///
/// Every error that can reach a client becomes one of these in one place,
/// ``init(_:)``: our own errors are thrown as `APIError`, foreign ones say how they map
/// by conforming to ``APIErrorConvertible`` (one file each, beside this one).
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

    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message: message) }

    /// The answer for any error escaping a handler: ours as they are, convertible ones
    /// by their own mapping, Hummingbird's (404, 405, 413 ...) with a code from their
    /// status, anything else as a 500 that reveals nothing.
    public init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as any APIErrorConvertible:
            self = error.apiError
        case let error as any HTTPResponseError:
            let status = error.status
            let message = (error as? HTTPError)?.body ?? status.reasonPhrase
            self.init(status, code: Self.code(for: status), message: message)
        default:
            self.init(.internalServerError, code: "internal", message: "internal server error")
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

    /// The JSON error body, the one place its shape is written.
    /// - Parameter requestId: ties the answer to the server's log line.
    public func response(requestId: String) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: body(requestId: requestId)))
    }

    /// The body alone, for answers written below the router (`HTTPRefusalResponder`).
    func body(requestId: String) -> ByteBuffer {
        let body = ErrorBody(error: .init(code: code, message: message, request_id: requestId))
        let data = (try? JSONCoding.encoder.encode(body)) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8)
        return ByteBuffer(bytes: data)
    }

    /// The error body's fields.
    struct ErrorBody: Codable {
        struct Detail: Codable {
            let code: String
            let message: String
            let request_id: String
        }
        let error: Detail
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestId: (context as? ArgusRequestContext)?.requestId ?? "")
    }
}

/// A foreign error that knows its answer to a client. Conformances live one file per
/// error type in `HTTP/Errors`; ``APIError/init(_:)`` is the only reader.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
