import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition of the server's counters.
struct MetricsController {
    let metrics: ServerMetrics

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        return routes
    }
}
