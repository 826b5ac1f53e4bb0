import ArgusCore
import ArgusVision
import Crypto
import FluentKit
import Foundation
import NIOCore

/// Accepts an uploaded image in two steps around the analysis: `check` reads the type
/// and dimensions from the header and finds one user's duplicate; `store` (once the
/// image decoded and its tasks ran) keeps the file, metadata stripped, and records it.
/// Nothing is stored for an upload that fails any check.
struct ImageIntake: Sendable {
    let dependencies: ServerDependencies

    struct Checked: Sendable {
        let bytes: [UInt8]
        let header: ImageHeader
        let sha256: String
    }

    enum Verdict: Sendable {
        case new(Checked)
        case duplicate(ImageRecord)
    }

    func check(_ upload: Upload, userId: UUID) async throws -> Verdict {
        let bytes = upload.bytes
        let header = try ImageHeader.read(bytes)
        let sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        if let existing = try await Self.find(sha256: sha256, userId: userId, on: dependencies.database.db) {
            return .duplicate(existing)
        }
        return .new(Checked(bytes: bytes, header: header, sha256: sha256))
    }

    /// Starts writing the metadata-stripped file where nothing can see it, while the
    /// image is analysed (the sync to disk then costs no extra wait). A file whose
    /// structure cannot be walked to the end is refused (422), never kept with its metadata.
    func stage(_ checked: Checked) async throws -> (blob: StagedBlob, size: Int) {
        let stripped = try MetadataStripper.stripped(
            checked.bytes, format: checked.header.format, orientation: checked.header.orientation)
        return (try await dependencies.images.store.stage(stripped), stripped.count)
    }

    /// Publishes the staged file and records the image with its runs in one transaction;
    /// nil when a concurrent identical upload won the race.
    func store(
        _ checked: Checked, staged: (blob: StagedBlob, size: Int), analysis: TaskRunner.Analysis, filename: String?, userId: UUID
    ) async throws -> (record: ImageRecord, outcomes: [TaskRunner.Outcome])? {
        let blobKey = try await staged.blob.commit()
        let byteSize = staged.size
        let record = ImageRecord(
            userId: userId, sha256: checked.sha256, blobKey: blobKey, format: checked.header.format.rawValue,
            width: analysis.image.width, height: analysis.image.height, byteSize: byteSize, filename: filename)
        let imageId = UUID()
        record.id = imageId
        let runner = TaskRunner(dependencies: dependencies)
        do {
            let outcomes = try await dependencies.database.db.transaction { db in
                try await record.create(on: db)
                return try await runner.record(analysis, userId: userId, imageId: imageId, on: db)
            }
            return (record, outcomes)
        } catch {
            guard (error as? any DatabaseError)?.isConstraintFailure == true else { throw error }
            return nil
        }
    }

    /// What an upload became.
    enum Ingested: Sendable {
        case stored(ImageRecord, [TaskRunner.Outcome])
        /// The same bytes from the same user: nothing new was stored or run.
        case duplicate(ImageRecord)
    }

    /// Checks, analyses and stores one upload with its tasks: the file is written and
    /// synced aside while the image is analysed, and published only once the image
    /// decoded and its tasks ran.
    func ingest(
        _ upload: Upload, userId: UUID, detect: (Detector, DetectionOptions)?, circles: CircleOptions?,
        reserved: TaskRunner.Reservations = TaskRunner.Reservations()
    ) async throws -> Ingested {
        switch try await check(upload, userId: userId) {
        case .duplicate(let record):
            return .duplicate(record)
        case .new(let checked):
            async let staging = stage(checked)
            let analysis: TaskRunner.Analysis
            do {
                analysis = try await TaskRunner(dependencies: dependencies).analyse(
                    upload.bytes, detect: detect, circles: circles, reserved: reserved)
            } catch {
                await (try? staging)?.blob.discard()
                throw error
            }
            guard
                let (record, outcomes) = try await store(
                    checked, staged: try await staging, analysis: analysis, filename: upload.filename, userId: userId)
            else {
                // The same bytes from the same user a moment earlier: the first one wins.
                guard let existing = try await Self.find(sha256: checked.sha256, userId: userId, on: dependencies.database.db)
                else {
                    throw APIError(.conflict, code: "conflict", message: "a concurrent upload changed this image; retry")
                }
                return .duplicate(existing)
            }
            return .stored(record, outcomes)
        }
    }

    static func find(sha256: String, userId: UUID, on db: any Database) async throws -> ImageRecord? {
        try await ImageRecord.query(on: db).filter(\.$user.$id == userId).filter(\.$sha256 == sha256).first()
    }
}
