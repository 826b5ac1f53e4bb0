import Foundation
import Synchronization

/// A token-bucket limit: `capacity` requests at once, refilled at `capacity / period`.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    public var capacity: Int
    public var period: Duration

    public init(capacity: Int, period: Duration) {
        self.capacity = capacity
        self.period = period
    }

    /// Parses `N/second`, `N/minute` or `N/hour` (also `s`, `m`, `h`); `off` gives nil.
    public static func parse(_ text: String) -> RateLimit?? {
        let lowered = text.lowercased()
        if lowered == "off" { return .some(nil) }
        let parts = lowered.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
        let period: Duration
        switch parts[1] {
        case "s", "sec", "second": period = .seconds(1)
        case "m", "min", "minute": period = .seconds(60)
        case "h", "hour": period = .seconds(3600)
        default: return nil
        }
        return .some(RateLimit(capacity: count, period: period))
    }

    public var description: String {
        let seconds = period.components.seconds
        return "\(capacity)/" + (seconds == 1 ? "second" : seconds == 60 ? "minute" : "hour")
    }

    var refillPerSecond: Double {
        Double(capacity) / (Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18)
    }
}

/// In-memory token buckets per (group, client). Idle buckets are dropped once the
/// table grows, so memory stays bounded whatever the number of clients.
public final class RateLimiter: Sendable {
    public struct Decision: Sendable {
        public let allowed: Bool
        public let limit: Int
        public let remaining: Int
        /// Seconds until the bucket is full again.
        public let resetSeconds: Int
        /// Seconds until one request is allowed (0 when allowed).
        public let retryAfterSeconds: Int
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let maxEntries: Int

    public init(maxEntries: Int = 50_000) {
        self.maxEntries = maxEntries
    }

    public func take(_ limit: RateLimit, key: String, now: ContinuousClock.Instant = .now) -> Decision {
        let rate = limit.refillPerSecond
        let capacity = Double(limit.capacity)
        return buckets.withLock { table in
            var bucket = table[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            if table.count >= maxEntries, table[key] == nil { Self.evictIdle(&table, now: now, rate: rate, capacity: capacity) }
            table[key] = bucket
            return Decision(
                allowed: allowed, limit: limit.capacity, remaining: Int(bucket.tokens.rounded(.down)),
                resetSeconds: Int(((capacity - bucket.tokens) / rate).rounded(.up)),
                retryAfterSeconds: allowed ? 0 : max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))))
        }
    }

    /// Drops buckets that would be full by now: forgetting them changes nothing.
    private static func evictIdle(_ table: inout [String: Bucket], now: ContinuousClock.Instant, rate: Double, capacity: Double) {
        table = table.filter { _, bucket in
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds)
            return bucket.tokens + seconds * rate < capacity
        }
    }
}
