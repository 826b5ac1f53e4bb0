import Hummingbird
import NIOCore

/// Per-request state shared by middleware and handlers.
public struct ArgusRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIdMiddleware` before any handler runs.
    public var requestId = ""
    /// The connected peer; rate limits are kept per client address.
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
