import ArgusVision
import Crypto
import FluentKit
import Foundation
import NIOCore

/// Accepts an uploaded image: every check runs before anything is stored (type from the
/// magic bytes, dimensions from the header, a full decode to catch truncated or corrupt
/// data); metadata is stripped from the stored copy; one user's identical uploads share
/// one record.
struct ImageIntake: Sendable {
    let dependencies: ServerDependencies

    struct Accepted: Sendable {
        let record: ImageRecord
        /// Decoded and upright; nil for a duplicate (its results are already stored).
        let image: Image?
        var duplicate: Bool { image == nil }
    }

    func accept(_ upload: Upload, userId: UUID) async throws -> Accepted {
        let bytes = Array(upload.bytes.readableBytesView)
        let header: ImageHeader
        do {
            header = try ImageHeader.read(bytes)
        } catch {
            throw DetectController.apiError(for: error)
        }
        let limits = dependencies.configuration.imageLimits
        let image = try await InferenceErrors.mapped { try await dependencies.pool.run { try Image.decode(bytes, limits: limits) } }
        let sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let db = dependencies.database.db
        if let existing = try await Self.find(sha256: sha256, userId: userId, on: db) { return Accepted(record: existing, image: nil) }

        let stripped = MetadataStripper.stripped(bytes, format: header.format, orientation: header.orientation)
        let blobKey = try await dependencies.images.store.put(Data(stripped))
        let record = ImageRecord(
            userId: userId, sha256: sha256, blobKey: blobKey, format: header.format.rawValue, width: image.width,
            height: image.height, byteSize: stripped.count, filename: upload.filename)
        do {
            try await record.create(on: db)
        } catch {
            // The same bytes from the same user at the same moment: the first one wins.
            guard (error as? any DatabaseError)?.isConstraintFailure == true,
                let existing = try await Self.find(sha256: sha256, userId: userId, on: db)
            else { throw error }
            return Accepted(record: existing, image: nil)
        }
        return Accepted(record: record, image: image)
    }

    static func find(sha256: String, userId: UUID, on db: any Database) async throws -> ImageRecord? {
        try await ImageRecord.query(on: db).filter(\.$user.$id == userId).filter(\.$sha256 == sha256).first()
    }
}
