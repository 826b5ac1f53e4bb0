import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers what the HTTP layer refuses before any route runs (a 1 MB header, a request
/// line that is not HTTP) in the API's one error shape, with `X-Request-ID` and the
/// security headers, instead of Hummingbird's bare `400` with an empty body; then closes
/// the connection, as the parser cannot go on. A failure in the middle of a request
/// (a client hanging up during its upload) is left to the request, which logs it.
final class HTTPRefusalResponder: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

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
        if case .head = unwrapInboundIn(data) { requestOpen = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { requestOpen = false }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !requestOpen else {
            context.fireErrorCaught(error)
            return
        }
        let refusal = parserError.apiError
        let requestId = UUID().lowercased
        var fields = SecurityHeadersMiddleware.headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.connection] = "close"
        fields[.requestId] = requestId
        let body = refusal.body(requestId: requestId)
        fields[.contentLength] = String(body.readableBytes)
        logger.info(
            "request refused by the HTTP parser",
            metadata: [
                "status": .stringConvertible(refusal.status.code), "code": .string(refusal.code),
                "request_id": .string(requestId),
            ])
        metrics.requestFinished(method: "-", route: "unmatched", status: refusal.status.code, duration: .zero)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: refusal.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        // Closed once the answer is out; the context is only touched on its event loop.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
