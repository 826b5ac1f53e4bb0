import Crypto
import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Content-addressed files under one folder, sharded as `ab/cd/abcd…` so no folder grows
/// huge. A write goes to a temporary file that is fsync'd, then renamed into place and
/// the folder fsync'd: a crash leaves either the whole file or none.
public struct LocalBlobStore: BlobStore {
    public let root: String
    /// Blocking file calls (write, fsync, rename, read) run here, never on Swift's
    /// cooperative threads or the pool that runs database queries.
    static let io: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    public init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root + "/tmp", withIntermediateDirectories: true)
    }

    public static func key(for data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    func path(for key: String) throws -> String {
        guard key.count == 64, key.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw BlobStoreError(description: "invalid blob key")
        }
        return "\(root)/\(key.prefix(2))/\(key.dropFirst(2).prefix(2))/\(key)"
    }

    public func put(_ data: Data) async throws -> String {
        try await Self.io.runIfActive { try putNow(data) }
    }

    func putNow(_ data: Data) throws -> String {
        let key = Self.key(for: data)
        let destination = try path(for: key)
        if FileManager.default.fileExists(atPath: destination) {
            Self.touch(destination)
            return key
        }
        let temporary = "\(root)/tmp/\(UUID().uuidString)"
        try Self.writeSynced(data, to: temporary)
        try publish(temporary, as: key)
        return key
    }

    /// Written and synced under tmp/ now; renamed into place by `commit`.
    public func stage(_ bytes: [UInt8]) async throws -> StagedBlob {
        let key = Self.key(for: bytes)
        let temporary = "\(root)/tmp/\(UUID().uuidString)"
        try await Self.io.runIfActive { try Self.writeSynced(bytes, to: temporary) }
        return StagedBlob(
            key: key,
            commit: { try await Self.io.runIfActive { try publish(temporary, as: key) } },
            discard: { unlink(temporary) })
    }

    /// Renames a synced temporary file to its key's path (or drops it when that content
    /// is already there) and syncs the folder.
    func publish(_ temporary: String, as key: String) throws {
        let destination = try path(for: key)
        if FileManager.default.fileExists(atPath: destination) {
            // Used again: young again, so the orphan sweep cannot take it from the row
            // about to be written for it.
            Self.touch(destination)
            unlink(temporary)
            return
        }
        let folder = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw BlobStoreError(description: "cannot move the file into place: errno \(errno)")
        }
        Self.syncFolder(folder)
    }

    public func get(_ key: String) async throws -> Data {
        try await Self.io.runIfActive { try getNow(key) }
    }

    func getNow(_ key: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: try path(for: key)) else {
            throw BlobStoreError(description: "no blob \(key)")
        }
        return data
    }

    public func delete(_ key: String) async throws {
        let file = try path(for: key)
        if unlink(file) != 0 && errno != ENOENT { throw BlobStoreError(description: "cannot delete \(key): errno \(errno)") }
    }

    /// Deletes staged files (under tmp/) last changed before `date`: uploads whose request
    /// died before they were published or discarded. Returns how many it removed.
    func removeStaged(olderThan date: Date) -> Int {
        StaleFiles.remove(in: root + "/tmp", changedBefore: date)
    }

    /// The keys of the stored files last written or reused before `date` (see `touch`):
    /// the candidates of the orphan sweep.
    func keys(unchangedSince date: Date) -> [String] {
        let manager = FileManager.default
        var keys: [String] = []
        for first in (try? manager.contentsOfDirectory(atPath: root)) ?? [] where first.count == 2 {
            for second in (try? manager.contentsOfDirectory(atPath: root + "/" + first)) ?? [] where second.count == 2 {
                let folder = root + "/" + first + "/" + second
                for name in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] where (try? path(for: name)) != nil {
                    guard let changed = (try? manager.attributesOfItem(atPath: folder + "/" + name))?[.modificationDate] as? Date,
                        changed < date
                    else { continue }
                    keys.append(name)
                }
            }
        }
        return keys
    }

    /// Sets a file's modification time to now.
    static func touch(_ path: String) {
        _ = utimes(path, nil)
    }

    public func exists(_ key: String) async -> Bool {
        (try? path(for: key)).map { FileManager.default.fileExists(atPath: $0) } ?? false
    }

    public func probe() async throws {
        let file = "\(root)/tmp/.probe-\(UUID().uuidString)"
        try await Self.io.runIfActive {
            try Self.writeSynced(Data("ok".utf8), to: file)
            unlink(file)
        }
    }

    static func writeSynced(_ data: some ContiguousBytes, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o640)
        guard fd >= 0 else { throw BlobStoreError(description: "cannot create \(path): errno \(errno)") }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    unlink(path)
                    throw BlobStoreError(description: "cannot write \(path): errno \(errno)")
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else {
            unlink(path)
            throw BlobStoreError(description: "cannot sync \(path): errno \(errno)")
        }
    }

    static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
