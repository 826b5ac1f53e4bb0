import Logging
import NIOCore
import NIOHTTP1

/// Closes a connection whose client is too slow: the request head must arrive within
/// `headerSeconds` of its first byte, the body within `bodySeconds` of the head, and the
/// next request must start within `idleSeconds` of the last response. The time the
/// server itself takes to answer is never counted. It sits right after the HTTP decoder:
/// decoded parts mark the phases, and a read that decoded nothing (`channelReadComplete`
/// alone) marks the first bytes of a head. A WebSocket upgrade (`101`) ends the watch.
final class ConnectionDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    /// Any: after a WebSocket upgrade the decoder is gone and frames' bytes pass here.
    typealias InboundIn = Any
    typealias InboundOut = Any
    typealias OutboundIn = Any
    typealias OutboundOut = Any

    private enum Phase: String {
        case idle = "idle keep-alive"
        case head = "request head"
        case body = "request body"
        /// The request is in and the server is answering: no deadline.
        case answering
        case upgraded
    }

    private let timeouts: HTTPTimeouts
    private let logger: Logger
    private var phase = Phase.idle
    /// Requests received in full and not answered yet (more than one when pipelined).
    private var unanswered = 0
    /// The current request was answered before its body ended (an early refusal).
    private var answeredEarly = false
    private var deadline: Scheduled<Void>?

    init(timeouts: HTTPTimeouts, logger: Logger) {
        self.timeouts = timeouts
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The first request of a connection gets the header deadline, not the idle one:
        // a client that connects and says nothing is as slow as one that trickles.
        enter(.idle, seconds: timeouts.headerSeconds, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) as? HTTPServerRequestPart {
        case .head: enter(.body, seconds: timeouts.bodySeconds, context: context)
        case .body, nil: break
        case .end:
            if answeredEarly {
                answeredEarly = false
                enter(.idle, seconds: timeouts.idleSeconds, context: context)
            } else {
                unanswered += 1
                enter(.answering, seconds: nil, context: context)
            }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes came in but no head is complete yet: a request has begun.
        if phase == .idle { enter(.head, seconds: timeouts.headerSeconds, context: context) }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) as? HTTPServerResponsePart {
        case .head(let head) where head.status == .switchingProtocols:
            enter(.upgraded, seconds: nil, context: context)
        case .end:
            if phase == .body || phase == .head {
                // Answered before the body ended: the body deadline keeps running.
                answeredEarly = true
            } else {
                unanswered = max(0, unanswered - 1)
                if phase == .answering && unanswered == 0 { enter(.idle, seconds: timeouts.idleSeconds, context: context) }
            }
        default: break
        }
        context.write(data, promise: promise)
    }

    private func enter(_ next: Phase, seconds: Double?, context: ChannelHandlerContext) {
        guard phase != .upgraded else { return }
        phase = next
        deadline?.cancel()
        deadline = nil
        guard let seconds else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
            let (handler, context) = bound.value
            handler.expire(next, seconds: seconds, context: context)
        }
    }

    private func expire(_ expired: Phase, seconds: Double, context: ChannelHandlerContext) {
        guard phase == expired else { return }
        deadline = nil
        if expired != .idle {
            logger.info(
                "connection closed: the client was too slow",
                metadata: ["phase": .string(expired.rawValue), "limit_seconds": .stringConvertible(seconds)])
        }
        context.close(promise: nil)
    }
}
