import Foundation

/// Where file bytes live, addressed by the SHA-256 of their content. Narrow on purpose:
/// a local disk today, an S3 bucket later.
public protocol BlobStore: Sendable {
    /// Stores `data` (a no-op when the same content is already there) and returns its key.
    func put(_ data: Data) async throws -> String
    func get(_ key: String) async throws -> Data
    func delete(_ key: String) async throws
    func exists(_ key: String) async -> Bool
    /// Fails when the store cannot be written (for `/health`).
    func probe() async throws
    /// Starts writing `bytes` where readers cannot see it yet, so that the slow part of
    /// a write can overlap other work; `commit` publishes it, `discard` drops it. Takes
    /// the upload's own array, so that large files are not copied on the way.
    func stage(_ bytes: [UInt8]) async throws -> StagedBlob
}

/// A write waiting for its decision.
public struct StagedBlob: Sendable {
    public let key: String
    let commitAction: @Sendable () async throws -> Void
    let discardAction: @Sendable () async -> Void

    public init(key: String, commit: @escaping @Sendable () async throws -> Void, discard: @escaping @Sendable () async -> Void) {
        self.key = key
        commitAction = commit
        discardAction = discard
    }

    /// Makes the blob readable under `key`.
    public func commit() async throws -> String {
        try await commitAction()
        return key
    }

    public func discard() async { await discardAction() }
}

extension BlobStore {
    /// Stores that cannot stage keep the bytes until `commit`.
    /// - Returns: a blob that nobody can read until it is committed, or discarded.
    public func stage(_ bytes: [UInt8]) async throws -> StagedBlob {
        StagedBlob(key: LocalBlobStore.key(for: bytes), commit: { _ = try await self.put(Data(bytes)) }, discard: {})
    }
}

public struct BlobStoreError: Error, CustomStringConvertible {
    public let description: String
}
