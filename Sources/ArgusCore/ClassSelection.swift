/// Resolves a user's class list (names, case-insensitive, or indices) against a model's labels.
public enum ClassSelection {
    public struct UnknownClass: Error, Equatable, Sendable {
        public let name: String

        public init(name: String) {
            self.name = name
        }
    }

    public static func resolve(_ entries: [String], labels: [String]) throws(UnknownClass) -> Set<Int> {
        var ids = Set<Int>()
        for entry in entries {
            let lowered = entry.lowercased()
            if let index = labels.firstIndex(where: { $0.lowercased() == lowered }) {
                ids.insert(index)
            } else if let index = Int(entry), labels.indices.contains(index) {
                ids.insert(index)
            } else {
                throw UnknownClass(name: entry)
            }
        }
        return ids
    }

    /// Splits a comma-separated list, trimming blanks and dropping empty entries.
    public static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
