import ArgusTestSupport
import FluentKit
import Foundation
import Logging
import Testing

@testable import ArgusServer

#if canImport(Glibc)
    import Glibc
#endif

/// One leader across workers, and what retention deletes.
@Suite struct SchedulerTests {
    @Test func oneWorkerLeadsUntilItsLeaseRunsOut() async throws {
        try await TestServer.withDependencies(try await JobQueueTests.configuration()) { dependencies in
            let first = Scheduler(dependencies: dependencies, holder: "one", logger: Logger(label: "test"))
            let second = Scheduler(dependencies: dependencies, holder: "two", logger: Logger(label: "test"))
            #expect(try await first.lead())
            #expect(try await !second.lead())
            #expect(try await first.lead(), "the leader renews its own lease")
            _ = try await dependencies.database.sql.raw("UPDATE scheduler_state SET until_us = 0 WHERE name = 'leader'").all()
            #expect(try await second.lead(), "an expired lease passes to another worker")
            #expect(try await !first.lead())
        }
    }

    @Test func retentionDeletesOldImagesFinishedJobsAndExpiredTokens() async throws {
        var configuration = try await JobQueueTests.configuration()
        configuration.retentionDays = 30
        configuration.jobRetentionDays = 7
        try await TestServer.run(configuration) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let old = try await api.upload(try TestPictures.jpeg(seed: 1), filename: "old.jpg", query: "tasks=detect", as: user)
            let recent = try await api.upload(
                try TestPictures.jpeg(seed: 2), filename: "new.jpg", query: "tasks=detect", as: user)
            let oldText = try #require(old.json["id"] as? String)
            let recentText = try #require(recent.json["id"] as? String)
            let oldId = try #require(UUID(uuidString: oldText))
            let recentId = try #require(UUID(uuidString: recentText))
            let db = dependencies.database.db
            let longAgo = Int64.nowMicros - 40 * 86_400_000_000
            try await ImageRecord.query(on: db).filter(\.$id == oldId).set(\.$createdMicros, to: longAgo).update()
            let done = try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop"))
            let fresh = try await dependencies.jobs.enqueue(JobQueue.Request(kind: "noop"))
            for job in [done, fresh] {
                try await JobRecord.query(on: db).filter(\.$id == job.id!).set(\.$status, to: "done")
                    .set(\.$finishedMicros, to: job.id == done.id ? longAgo : .nowMicros).update()
            }
            let expired = RefreshTokenRecord.query(on: db)
            try await expired.set(\.$expiresAt, to: Date(timeIntervalSinceNow: -60)).update()

            // A stored file no image refers to (its row never written), and the recent
            // image's own file, both untouched for two days.
            let store = try #require(dependencies.images.store as? LocalBlobStore)
            let orphan = try await store.put(Data("no row refers to this".utf8))
            let recentKey = try #require(try await ImageRecord.find(recentId, on: db)?.blobKey)
            for key in [orphan, recentKey] {
                var times = [
                    timeval(tv_sec: time(nil) - 2 * 86_400, tv_usec: 0), timeval(tv_sec: time(nil) - 2 * 86_400, tv_usec: 0),
                ]
                #expect(utimes(try store.path(for: key), &times) == 0)
            }

            // A video upload (or live recording) a crash left in incoming/ two days ago goes;
            // one being written now stays.
            let videoFiles = dependencies.videoFiles
            let (abandoned, writing) = (try videoFiles.incomingFile(), try videoFiles.incomingFile())
            var twoDaysAgo = [
                timeval(tv_sec: time(nil) - 2 * 86_400, tv_usec: 0), timeval(tv_sec: time(nil) - 2 * 86_400, tv_usec: 0),
            ]
            #expect(utimes(abandoned, &twoDaysAgo) == 0)

            let report = try await Retention(dependencies: dependencies).run()
            #expect(report.images == 1 && report.jobs == 1 && report.tokens >= 1)
            #expect(!FileManager.default.fileExists(atPath: abandoned) && FileManager.default.fileExists(atPath: writing))
            #expect(report.stagedFiles >= 1)
            #expect(report.orphanedFiles == 1, "\(report)")
            let orphanKept = await store.exists(orphan)
            let recentKept = await store.exists(recentKey)
            #expect(!orphanKept && recentKept, "the orphan goes, the referenced file stays")
            #expect(try await ImageRecord.find(oldId, on: db) == nil)
            #expect(try await ImageRecord.find(recentId, on: db) != nil)
            #expect(try await JobRecord.find(done.id, on: db) == nil)
            #expect(try await JobRecord.find(fresh.id, on: db) != nil)
            #expect(try await api.get("/api/v1/images/\(oldId)", as: user).status == .notFound)
            #expect(try await RefreshTokenRecord.query(on: db).count() == 0)
        }
    }
}
