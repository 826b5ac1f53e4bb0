import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The server's child channel: Hummingbird's HTTP/1.1 channel with WebSocket upgrade,
/// plus the connection counter, the refusal responder and the slow-client deadlines,
/// placed right after the HTTP decoder so that they see every connection from its first byte.
struct ArgusChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let metrics: ServerMetrics
    let timeouts: HTTPTimeouts
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(
                ConnectionDeadlines(timeouts: timeouts, logger: self.logger), position: .after(decoder.handler))
            try pipeline.addHandler(
                HTTPRefusalResponder(metrics: metrics, logger: self.logger), position: .after(decoder.handler))
            try pipeline.addHandler(ConnectionCounter(metrics: metrics), position: .first)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
