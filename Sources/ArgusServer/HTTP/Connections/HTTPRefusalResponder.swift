import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Answers what the HTTP layer refuses before any route runs (a 1 MB header, a request
/// line that is not HTTP) in the API's one error shape, with `X-Request-ID` and the
/// security headers, instead of a bare `400` or a closed connection; then closes the
/// connection, as the parser cannot go on. It sits right after NIO's request decoder, so
/// it sees the first request of a connection too (before the WebSocket upgrade handler
/// decides). A failure in the middle of a request (a client hanging up during its upload)
/// is left to the request, which logs it. After a WebSocket upgrade it only passes frames on.
final class HTTPRefusalResponder: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = Any
    typealias InboundOut = Any
    typealias OutboundIn = Any
    typealias OutboundOut = Any

    private let metrics: ServerMetrics
    private let logger: Logger
    /// A request head has arrived and its response has not ended. Touched only on the
    /// channel's event loop.
    private var requestOpen = false

    init(metrics: ServerMetrics, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head? = unwrapInboundIn(data) as? HTTPServerRequestPart { requestOpen = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end? = unwrapOutboundIn(data) as? HTTPServerResponsePart { requestOpen = false }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !requestOpen else {
            context.fireErrorCaught(error)
            return
        }
        let refusal = parserError.apiError
        let requestId = UUID().lowercased
        let body = refusal.body(requestId: requestId)
        var headers = HTTPHeaders()
        for field in SecurityHeadersMiddleware.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "X-Request-ID", value: requestId)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        logger.info(
            "request refused by the HTTP parser",
            metadata: [
                "status": .stringConvertible(refusal.status.code), "code": .string(refusal.code),
                "request_id": .string(requestId),
            ])
        metrics.requestFinished(method: "-", route: "unmatched", status: refusal.status.code, duration: .zero)
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: refusal.status.code), headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        // Closed once the answer is out; the context is only touched on its event loop.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
