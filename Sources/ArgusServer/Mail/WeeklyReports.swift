import FluentKit
import Foundation
import SQLKit

/// The Monday mail: for each account that opted in (`weekly_report`), what it did in the
/// week before — images processed, objects found, its most frequent labels, jobs ended.
/// Run by the scheduler's leader once a week, from Monday 07:00 UTC; each account's mail
/// is keyed by the week, so a second run of the same week sends nothing.
struct WeeklyReports: Sendable {
    let database: ArgusDatabase
    let mailer: Mailer

    /// Monday 07:00 UTC of the week `date` is in (or of the week before, before that hour).
    static func weekStart(before date: Date) -> Date {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let monday = calendar.dateInterval(of: .weekOfYear, for: date)!.start
        let start = monday.addingTimeInterval(7 * 3600)
        return start <= date ? start : start.addingTimeInterval(-7 * 86_400)
    }

    /// Queues the reports of the week that ended at `weekStart(before: now)`.
    /// - Returns: how many mails it queued.
    @discardableResult
    func run(now: Date = Date()) async throws -> Int {
        guard mailer.enabled else { return 0 }
        let end = Self.weekStart(before: now)
        let start = end.addingTimeInterval(-7 * 86_400)
        let (from, until) = (Int64(start.timeIntervalSince1970 * 1_000_000), Int64(end.timeIntervalSince1970 * 1_000_000))
        let db = database.db
        let sql = database.sql
        let users = try await UserRecord.query(on: db).filter(\.$weeklyReport == true).filter(\.$disabled == false).all()
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        var queued = 0
        for user in users {
            guard let recipient = user.mailAddress else { continue }
            let userId = try user.requireID()
            let runs = try await sql.raw(
                """
                SELECT COUNT(*) AS runs, CAST(COALESCE(SUM(object_count), 0) AS BIGINT) AS objects FROM inference_runs \
                WHERE user_id = \(bind: userId) AND created_us >= \(bind: from) AND created_us < \(bind: until)
                """
            ).first()
            let labels = try await sql.raw(
                """
                SELECT label, COUNT(*) AS n FROM detected_objects \
                WHERE user_id = \(bind: userId) AND created_us >= \(bind: from) AND created_us < \(bind: until) \
                GROUP BY label ORDER BY n DESC, label LIMIT 5
                """
            ).all()
            let silent = JobEndNotices.silentKinds.sorted()
            let jobs = try await sql.raw(
                """
                SELECT CAST(COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0) AS BIGINT) AS done, \
                CAST(COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) AS BIGINT) AS dead FROM jobs \
                WHERE user_id = \(bind: userId) AND finished_us >= \(bind: from) AND finished_us < \(bind: until) \
                AND kind NOT IN (\(binds: silent))
                """
            ).first()
            let labelValues: [JSONValue] = try labels.map {
                .object([
                    "label": .string(try $0.decode(column: "label", as: String.self)),
                    "count": .number(Double(try $0.decode(column: "n", as: Int.self))),
                ])
            }
            let count = { (row: (any SQLRow)?, column: String) throws -> Double in
                guard let row, try !row.decodeNil(column: column) else { return 0 }
                return Double(try row.decode(column: column, as: Int.self))
            }
            let values: [String: JSONValue] = [
                "week_start": .string(day.string(from: start)),
                "week_end": .string(day.string(from: end.addingTimeInterval(-1))),
                "images": .number(try count(runs, "runs")), "detections": .number(try count(runs, "objects")),
                "jobs_done": .number(try count(jobs, "done")), "jobs_failed": .number(try count(jobs, "dead")),
                "labels": .array(labelValues), "has_labels": .bool(!labelValues.isEmpty),
            ]
            let key = "weekly:\(userId.lowercased):\(day.string(from: start))"
            if try await mailer.queue(.weeklyReport, to: recipient, values: values, idempotencyKey: key, on: db) { queued += 1 }
        }
        return queued
    }
}
