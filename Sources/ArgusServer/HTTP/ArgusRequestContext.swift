import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Per-request state shared by middleware and handlers.
public struct ArgusRequestContext: RequestContext, RemoteAddressRequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIdMiddleware` before any handler runs.
    public var requestId = ""
    /// The connected peer; anonymous rate limits are kept per client address.
    public let remoteAddress: SocketAddress?
    /// The authenticated caller, set by `AuthenticationMiddleware`.
    public var identity: Identity?
    /// What inner middleware learned (the user id) for the request log line.
    public let audit = RequestAudit()
    /// The body limit of the route's group, set by `BodyLimitMiddleware`; bodies
    /// collected by Hummingbird itself stop here.
    public var maxUploadSize = 64 * 1024

    /// Set when the request upgrades to a WebSocket (`/api/v1/jobs/{id}/events`).
    public let webSocket = WebSocketHandlerReference<ArgusRequestContext>()

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// `ResponseEncodable` values are written in the API's one JSON style.
    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
    public var requestDecoder: JSONDecoder { JSONCoding.decoder }
}
