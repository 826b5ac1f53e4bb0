import Foundation

/// Where a video's files live: one folder per video under the storage directory,
/// `videos/<id>/` with `source` (the upload as sent), `annotated.mp4`, `tracks.json` and
/// `thumbnail.jpg`. Uploads stream into `videos/incoming/` first and move into their
/// folder once they are known to be videos, so a refused upload leaves nothing behind.
/// A worker on another machine needs the same storage directory (a shared volume).
struct VideoFiles: Sendable {
    let root: String
    /// The longer side of a video's thumbnail, in pixels.
    static let thumbnailSize = 320

    init(storagePath: String) {
        root = storagePath + "/videos"
    }

    func folder(_ id: UUID) -> String { root + "/" + id.lowercased }
    func source(_ id: UUID) -> String { folder(id) + "/source" }
    func annotated(_ id: UUID) -> String { folder(id) + "/annotated.mp4" }
    func tracks(_ id: UUID) -> String { folder(id) + "/tracks.json" }
    func thumbnail(_ id: UUID) -> String { folder(id) + "/thumbnail.jpg" }

    /// A new, empty file in `incoming/` for an upload to stream into.
    func incomingFile() throws -> String {
        let folder = root + "/incoming"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + UUID().lowercased
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw APIError(.internalServerError, code: "storage_failed", message: "the video cannot be stored")
        }
        return path
    }

    /// Removes `incoming/` files a crash left behind, untouched since `date`; how many went.
    func removeIncoming(olderThan date: Date) -> Int {
        StaleFiles.remove(in: root + "/incoming", changedBefore: date)
    }

    /// Moves a checked upload into the video's folder as its `source`.
    func adopt(_ incoming: String, as id: UUID) throws {
        try FileManager.default.createDirectory(atPath: folder(id), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: incoming, toPath: source(id))
    }

    /// The video's folder and everything in it.
    func remove(_ id: UUID) {
        try? FileManager.default.removeItem(atPath: folder(id))
    }

    /// Writes `data` beside the video's other files, atomically (a reader never sees half a file).
    func write(_ data: Data, to path: String) throws {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func size(of path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }
}
