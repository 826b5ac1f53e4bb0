import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition of the server's counters.
struct MetricsController {
    let metrics: ServerMetrics
    let database: ArgusDatabase

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { _, _ in
            // The queue's depth is read from the database now; a failure leaves the last values.
            if let rows = try? await database.sql.raw("SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status").all()
            {
                for row in rows {
                    if let kind = try? row.decode(column: "kind", as: String.self),
                        let status = try? row.decode(column: "status", as: String.self),
                        let count = try? row.decode(column: "n", as: Int.self)
                    {
                        metrics.queueDepth(kind: kind, status: status, count: count)
                    }
                }
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        return routes
    }
}
