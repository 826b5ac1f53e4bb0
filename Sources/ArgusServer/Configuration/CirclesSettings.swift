import Foundation

/// Which circle detector answers `POST /api/v1/circles` and the `circles` upload task.
public struct CirclesSettings: Sendable {
    public enum Backend: String, Sendable, CaseIterable { case local, remote }

    public var backend = Backend.local
    /// The Open Inference Protocol server (KServe, Triton, MLServer), for `remote`.
    public var url: String?
    public var model = "circles"
    public var timeoutSeconds = 10
    /// Sent as `Authorization: Bearer ...` to that server.
    public var apiKey: String?
    /// In-process detections at once; nil: half the cores.
    public var concurrency: Int?

    public init() {}
}
