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
}

public struct BlobStoreError: Error, CustomStringConvertible {
    public let description: String
}
