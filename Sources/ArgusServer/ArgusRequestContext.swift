import Hummingbird

/// Per-request state shared by middleware and handlers.
public struct ArgusRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIdMiddleware` before any handler runs.
    public var requestId = ""

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
