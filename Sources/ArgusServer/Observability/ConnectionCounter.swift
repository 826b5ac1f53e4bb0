import NIOCore

/// Counts open HTTP connections for `argus_http_open_connections`: one instance joins
/// each connection's pipeline and leaves it when the connection closes.
/// It only watches being added and removed; reads pass through untouched (NIO's default
/// `channelRead` forwards them without looking at their type).
final class ConnectionCounter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Any
    let metrics: ServerMetrics

    init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) { metrics.connectionOpened() }
    func handlerRemoved(context: ChannelHandlerContext) { metrics.connectionClosed() }
}
