import FluentKit
import Foundation
import SQLKit
import Synchronization

/// Group commit for enqueues: jobs enqueued while an INSERT of earlier ones is being
/// written go into the next INSERT together, so a burst of API requests costs one
/// statement (and, on SQLite, one turn of its single writer) per batch rather than per
/// job. An enqueue that finds nothing in flight is written at once, alone: no waiting
/// window, no latency added when the queue is quiet.
final class JobInsertBatcher: Sendable {
    private struct State {
        var waiting: [(job: JobRecord, done: CheckedContinuation<Void, any Error>)] = []
        var writing = false
    }

    private let state = Mutex(State())
    private let database: ArgusDatabase
    /// 15 bound values a row: well under SQLite's 32766 and PostgreSQL's 65535.
    static let maxRows = 500

    init(database: ArgusDatabase) {
        self.database = database
    }

    /// Returns once `job` is committed, alone or with others.
    func insert(_ job: JobRecord) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let write = state.withLock { state -> Bool in
                state.waiting.append((job, done))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if write { Task { await self.writeAll() } }
        }
    }

    /// Writes what is waiting, batch after batch, until nothing is.
    private func writeAll() async {
        while true {
            let batch = state.withLock { state -> [(job: JobRecord, done: CheckedContinuation<Void, any Error>)] in
                let batch = Array(state.waiting.prefix(Self.maxRows))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await JobRecord.insert(batch.map(\.job), on: database.sql)
                for entry in batch { entry.done.resume() }
            } catch {
                // One bad row must not fail the others: each alone, each with its own answer.
                for entry in batch {
                    do {
                        try await JobRecord.insert([entry.job], on: database.sql)
                        entry.done.resume()
                    } catch {
                        entry.done.resume(throwing: error)
                    }
                }
            }
        }
    }
}
