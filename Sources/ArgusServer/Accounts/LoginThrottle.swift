import FluentKit
import Foundation

/// Locks an email for a while after repeated failed sign-ins. Kept per email (known or
/// not), so the lockout itself tells nothing about which accounts exist.
struct LoginThrottle: Sendable {
    let services: AccountServices

    /// Seconds until `email` may try again, or nil when it may try now.
    func lockedFor(_ email: String, now: Date = Date()) async throws -> Int? {
        guard let record = try await LoginThrottleRecord.find(email, on: services.database.db),
            let until = record.lockedUntil, until > now
        else { return nil }
        return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    func recordFailure(_ email: String, now: Date = Date()) async throws {
        let db = services.database.db
        let record = try await LoginThrottleRecord.find(email, on: db) ?? LoginThrottleRecord(email: email)
        // An ended lockout, or failures older than a lockout period, start the count again.
        let window = services.settings.loginLockout
        if record.lockedUntil.map({ $0 <= now }) ?? (now.timeIntervalSince(record.updatedAt) > window) {
            record.lockedUntil = nil
            record.failures = 0
        }
        record.failures += 1
        if record.failures >= services.settings.loginMaxFailures {
            record.lockedUntil = now.addingTimeInterval(services.settings.loginLockout)
            record.failures = 0
        }
        record.updatedAt = now
        try await record.save(on: db)
        // Rows of emails nobody has tried for a day are of no use any more.
        try await LoginThrottleRecord.query(on: db).filter(\.$updatedAt < now.addingTimeInterval(-86_400))
            .filter(\.$id != email).delete()
    }

    func recordSuccess(_ email: String) async throws {
        try await LoginThrottleRecord.query(on: services.database.db).filter(\.$id == email).delete()
    }
}
