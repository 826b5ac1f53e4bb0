/// The configured budgets, one per route group (see `ArgusApplication.makeRouter`);
/// `nil` switches a group's limit off. Health, metrics and docs are never limited.
public struct RateLimits: Sendable {
    /// The routes that run a model: uploads to detect, circles and images.
    public var inference: RateLimit? = RateLimit(capacity: 120, period: .seconds(60))
    /// Every other `/api/` route.
    public var api: RateLimit? = RateLimit(capacity: 600, period: .seconds(60))
    /// Sign-up, login and refresh, per client address (password guessing).
    public var auth: RateLimit? = RateLimit(capacity: 30, period: .seconds(60))

    public init() {}
}
