/// How `GET /api/v1/live` is bounded (`ARGUS_LIVE_*`).
public struct LiveSettings: Sendable {
    /// Sessions open at once; 0 turns live detection off.
    public var maxSessions = 16
    /// Seconds without a frame or a settings message before a session is closed.
    public var idleSeconds = 30
    /// The largest frame a client may send, in bytes.
    public var maxFrameBytes = 4 << 20

    public init() {}
}
