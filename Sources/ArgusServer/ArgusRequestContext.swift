import Hummingbird
import NIOCore

/// Per-request state shared by middleware and handlers.
public struct ArgusRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIdMiddleware` before any handler runs.
    public var requestId = ""
    /// The connected peer; anonymous rate limits are kept per client address.
    public let remoteAddress: SocketAddress?
    /// The authenticated caller, set by `AuthenticationMiddleware`.
    public var identity: Identity?
    /// What inner middleware learned (the user id) for the request log line.
    public let audit = RequestAudit()
    /// Bodies collected by Hummingbird itself stop here; routes read with their own limits.
    public var maxUploadSize = 64 * 1024

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
