import Foundation

/// A temporary file a child process writes its stderr into (a file, not a pipe, so a
/// chatty tool can never block on a full pipe nobody reads), and a short summary of it.
struct StderrFile {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("argus-\(UUID().uuidString).err")

    /// A handle for `Process.standardError`.
    func handle() throws -> FileHandle {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return try FileHandle(forWritingTo: url)
    }

    var text: String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    /// The first `lines` lines, joined, at most 300 characters; `fallback` when empty.
    /// ffmpeg's `[mov,mp4,… @ 0x55…] ` context prefixes and the file's path (`hiding`) are
    /// dropped: the words are for the user, and a server's paths are not theirs to see.
    func summary(lines: Int = 2, hiding path: String? = nil, fallback: String) -> String {
        let cleaned = text.split(whereSeparator: \.isNewline).map { line in
            var line = Substring(line)
            if line.hasPrefix("["), let end = line.firstIndex(of: "]"), line[..<end].contains(" @ 0x") {
                line = line[line.index(after: end)...].drop { $0 == " " }
            }
            var text = String(line)
            if let path, !path.isEmpty {
                text = text.replacingOccurrences(of: path + ": ", with: "").replacingOccurrences(of: path, with: "the file")
            }
            return text
        }
        let joined = cleaned.filter { !$0.isEmpty }.prefix(lines).joined(separator: "; ")
        return joined.isEmpty ? fallback : String(joined.prefix(300))
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
