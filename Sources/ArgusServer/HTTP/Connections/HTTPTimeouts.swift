import Foundation

/// How long a connection may take to send its request, and to stay idle between
/// requests: the defence against clients that hold sockets open by sending slowly
/// (slowloris) or not at all. Each is a whole deadline, not an idle gap, so a byte a
/// second does not keep a connection alive.
public struct HTTPTimeouts: Sendable, Equatable {
    /// From the first byte of a request to the end of its head.
    public var headerSeconds: TimeInterval = 10
    /// From the end of the head to the end of the body.
    public var bodySeconds: TimeInterval = 120
    /// Between the end of one response and the first byte of the next request.
    public var idleSeconds: TimeInterval = 75

    public init() {}
}
