import FluentKit
import Foundation
import Logging
import SQLKit

/// Periodic work with one leader across every worker of the database, elected by a lease
/// row (`scheduler_state`, name `leader`): each worker tries to take or renew it at its
/// beat, and only the holder runs what is due. Today: retention, hourly.
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
            let sql = database.sql
            _ = try await sql.raw(
                "INSERT INTO scheduler_state (name, last_run_us) VALUES ('retention', 0) ON CONFLICT (name) DO NOTHING"
            ).all()
            // Claim the run itself, so that a leader change in between cannot run it twice.
            let due = try await sql.raw(
                """
                UPDATE scheduler_state SET last_run_us = \(bind: now) \
                WHERE name = 'retention' AND last_run_us < \(bind: now - Self.retentionEvery) RETURNING name
                """
            ).first()
            if due != nil {
                let report = try await Retention(dependencies: dependencies).run()
                logger.info("retention ran", metadata: report.metadata)
            }
        } catch {
            logger.warning("the scheduler could not run", metadata: ["error": .string(String(describing: error))])
        }
    }
}

/// What the data may keep: finished jobs for `ARGUS_JOB_RETENTION_DAYS`, images and
/// their results for `ARGUS_RETENTION_DAYS` (0: for ever), expired tokens not at all,
/// and no staged upload older than a day (its request died before it was published).
struct Retention: Sendable {
    let dependencies: ServerDependencies

    struct Report: Sendable {
        var jobs = 0
        var images = 0
        var tokens = 0
        var stagedFiles = 0

        var metadata: Logger.Metadata {
            [
                "jobs": .stringConvertible(jobs), "images": .stringConvertible(images), "tokens": .stringConvertible(tokens),
                "staged_files": .stringConvertible(stagedFiles),
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
        let expiredRefresh = try await RefreshTokenRecord.query(on: db).filter(\.$expiresAt < now).count()
        try await RefreshTokenRecord.query(on: db).filter(\.$expiresAt < now).delete()
        let expiredDenied = try await DeniedAccessTokenRecord.query(on: db).filter(\.$expiresAt < now).count()
        try await DeniedAccessTokenRecord.query(on: db).filter(\.$expiresAt < now).delete()
        report.tokens = expiredRefresh + expiredDenied
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
        if let local = dependencies.images.store as? LocalBlobStore {
            report.stagedFiles = local.removeStaged(olderThan: now.addingTimeInterval(-86_400))
        }
        return report
    }
}
