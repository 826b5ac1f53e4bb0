import Hummingbird
import HummingbirdWebSocket

/// `GET /api/v1/live`: live detection and tracking over a WebSocket. The client sends JPEG
/// frames as binary messages and settings as JSON text messages; the server answers each
/// frame it processes (see `LiveSession`, and docs/video.md for the protocol).
struct LiveController {
    let dependencies: ServerDependencies

    /// Under `ArgusApplication.apiBase`.
    static let path = "/live"

    /// A plain request (no `Upgrade: websocket`) is told what the route is.
    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { _, _ -> Response in
            throw APIError(
                .upgradeRequired, code: "upgrade_required",
                message: "GET /api/v1/live is a WebSocket: connect with ws:// (or wss://) and Upgrade: websocket",
                headers: [.upgrade: "websocket", .connection: "Upgrade"])
        }
        return routes
    }

    var webSocketRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        let dependencies = dependencies
        // Always upgraded: a refusal is a close with a code a browser can read.
        routes.ws { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let session = LiveSession(dependencies: dependencies, outbound: outbound, logger: context.logger)
            try await session.run(inbound: inbound, request: context.request, identity: context.requestContext.identity)
        }
        return routes
    }
}
