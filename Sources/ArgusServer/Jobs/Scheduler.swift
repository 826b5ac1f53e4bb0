import FluentKit
import Foundation
import Logging
import SQLKit

/// Periodic work with one leader across every worker of the database, elected by a lease
/// row (`scheduler_state`, name `leader`): each worker tries to take or renew it at its
/// beat, and only the holder runs what is due: retention, hourly; the weekly reports,
/// from Monday 07:00 UTC.
struct Scheduler: Sendable {
    let dependencies: ServerDependencies
    let holder: String
    let logger: Logger
    /// How long a leader holds the lease without renewing it.
    static let lease: Int64 = 30_000_000
    static let retentionEvery: Int64 = 3_600_000_000

    var database: ArgusDatabase { dependencies.database }

    /// Takes or renews the leader lease; true while this worker holds it.
    func lead() async throws -> Bool {
        let now = Int64.nowMicros
        let sql = database.sql
        _ = try await sql.raw(
            "INSERT INTO scheduler_state (name, last_run_us) VALUES ('leader', 0) ON CONFLICT (name) DO NOTHING"
        ).all()
        let row = try await sql.raw(
            """
            UPDATE scheduler_state SET holder = \(bind: holder), until_us = \(bind: now + Self.lease) \
            WHERE name = 'leader' AND (holder = \(bind: holder) OR holder IS NULL OR until_us < \(bind: now)) RETURNING name
            """
        ).first()
        return row != nil
    }

    /// At each beat: if this worker leads, runs what is due.
    func tick() async {
        do {
            guard try await lead() else { return }
            let now = Int64.nowMicros
            if try await claimRun("retention", dueBefore: now - Self.retentionEvery, firstRun: 0) {
                let report = try await Retention(dependencies: dependencies).run()
                logger.info("retention ran", metadata: report.metadata)
            }
            let weekStart = Int64(WeeklyReports.weekStart(before: Date()).timeIntervalSince1970 * 1_000_000)
            // A new server's first report is the next Monday's, not one at once.
            if try await claimRun("weekly_report", dueBefore: weekStart, firstRun: now) {
                let mails = try await WeeklyReports(database: database, mailer: dependencies.mailer).run()
                if mails > 0 { await dependencies.jobs.notify() }
                logger.info("weekly reports queued", metadata: ["mails": .stringConvertible(mails)])
            }
        } catch {
            logger.warning("the scheduler could not run", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// Claims the run of `name` when it last ran before `dueBefore`, in one statement, so
    /// that a leader change in between cannot run it twice.
    private func claimRun(_ name: String, dueBefore: Int64, firstRun: Int64) async throws -> Bool {
        let now = Int64.nowMicros
        let sql = database.sql
        _ = try await sql.raw(
            "INSERT INTO scheduler_state (name, last_run_us) VALUES (\(bind: name), \(bind: firstRun)) ON CONFLICT (name) DO NOTHING"
        ).all()
        return try await sql.raw(
            """
            UPDATE scheduler_state SET last_run_us = \(bind: now) \
            WHERE name = \(bind: name) AND last_run_us < \(bind: dueBefore) RETURNING name
            """
        ).first() != nil
    }
}

/// What the data may keep: finished jobs and webhook deliveries for
/// `ARGUS_JOB_RETENTION_DAYS`, workers silent for a day not at all, images and
/// their results for `ARGUS_RETENTION_DAYS` (0: for ever), expired tokens not at all,
/// no staged upload older than a day (its request died before it was published), and no
/// stored file that no image refers to.
struct Retention: Sendable {
    let dependencies: ServerDependencies

    struct Report: Sendable {
        var jobs = 0
        var images = 0
        var tokens = 0
        var stagedFiles = 0
        var orphanedFiles = 0

        var metadata: Logger.Metadata {
            [
                "jobs": .stringConvertible(jobs), "images": .stringConvertible(images), "tokens": .stringConvertible(tokens),
                "staged_files": .stringConvertible(stagedFiles), "orphaned_files": .stringConvertible(orphanedFiles),
            ]
        }
    }

    func run(now: Date = Date()) async throws -> Report {
        var report = Report()
        let db = dependencies.database.db
        let configuration = dependencies.configuration
        let nowMicros = Int64(now.timeIntervalSince1970 * 1_000_000)
        let jobCutoff = nowMicros - Int64(configuration.jobRetentionDays) * 86_400_000_000
        let finished = [JobStatus.done, .dead, .cancelled].map(\.rawValue)
        let old = try await JobRecord.query(on: db).filter(\.$status ~~ finished).filter(\.$finishedMicros < jobCutoff).all(\.$id)
        for chunk in stride(from: 0, to: old.count, by: 500).map({ Array(old[$0..<min($0 + 500, old.count)]) }) {
            try await db.transaction { db in
                try await JobAttemptRecord.query(on: db).filter(\.$jobId ~~ chunk).delete()
                try await JobRecord.query(on: db).filter(\.$id ~~ chunk).delete()
            }
        }
        report.jobs = old.count
        // Delivery records and stopped or vanished workers age like the jobs.
        let sql = dependencies.database.sql
        _ = try await sql.raw("DELETE FROM webhook_deliveries WHERE created_us < \(bind: jobCutoff)").all()
        _ = try await sql.raw("DELETE FROM workers WHERE last_beat_us < \(bind: nowMicros - 86_400_000_000)").all()
        let expiredRefresh = try await RefreshTokenRecord.query(on: db).filter(\.$expiresAt < now).count()
        try await RefreshTokenRecord.query(on: db).filter(\.$expiresAt < now).delete()
        let expiredDenied = try await DeniedAccessTokenRecord.query(on: db).filter(\.$expiresAt < now).count()
        try await DeniedAccessTokenRecord.query(on: db).filter(\.$expiresAt < now).delete()
        let spentResets = try await PasswordResetTokenRecord.query(on: db).group(.or) {
            $0.filter(\.$expiresAt < now).filter(\.$usedAt != nil)
        }.count()
        try await PasswordResetTokenRecord.query(on: db).group(.or) { $0.filter(\.$expiresAt < now).filter(\.$usedAt != nil) }
            .delete()
        report.tokens = expiredRefresh + expiredDenied + spentResets
        if configuration.retentionDays > 0 {
            let cutoff = nowMicros - Int64(configuration.retentionDays) * 86_400_000_000
            let images = ImagesController(dependencies: dependencies)
            while true {
                let batch = try await ImageRecord.query(on: db).filter(\.$createdMicros < cutoff).limit(200).all()
                if batch.isEmpty { break }
                for record in batch { try await images.remove(record) }
                report.images += batch.count
            }
        }
        let dayAgo = now.addingTimeInterval(-86_400)
        if let local = dependencies.images.store as? LocalBlobStore {
            report.stagedFiles = local.removeStaged(olderThan: dayAgo)
            report.orphanedFiles = try await removeOrphans(local, unchangedSince: dayAgo)
        }
        // Videos are always on the local storage folder, whatever stores the images.
        report.stagedFiles += dependencies.videoFiles.removeIncoming(olderThan: dayAgo)
        return report
    }

    /// Stored files no image refers to (a crash between a file and its row, or between a
    /// row's deletion and its file's) and untouched for a day: a file being uploaded
    /// again is touched first, so a row about to be written never loses its file.
    func removeOrphans(_ store: LocalBlobStore, unchangedSince date: Date) async throws -> Int {
        let candidates = store.keys(unchangedSince: date)
        var removed = 0
        for start in stride(from: 0, to: candidates.count, by: 500) {
            let chunk = Array(candidates[start..<min(start + 500, candidates.count)])
            let referenced = Set(
                try await dependencies.database.sql.raw("SELECT blob_key FROM images WHERE blob_key IN (\(binds: chunk))").all()
                    .map { try $0.decode(column: "blob_key", as: String.self) })
            for key in chunk where !referenced.contains(key) {
                try await store.delete(key)
                removed += 1
            }
        }
        return removed
    }
}
