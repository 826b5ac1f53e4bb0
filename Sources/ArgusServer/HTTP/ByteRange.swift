import Foundation

/// One range of an HTTP `Range: bytes=…` header (RFC 9110 §14.1.2), resolved against a
/// file's size. Only single ranges are served (what `<video>` elements send); a list of
/// ranges is answered with the whole file, which the RFC allows.
enum ByteRange {
    enum Resolution: Equatable {
        /// No usable range: send the whole file with 200.
        case whole
        /// Send these bytes with 206.
        case partial(ClosedRange<Int>)
        /// 416, with `Content-Range: bytes */size`.
        case unsatisfiable
    }

    static func resolve(_ header: String?, size: Int) -> Resolution {
        guard let header else { return .whole }
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = text.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(",") else { return .whole }
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .whole }
        let (first, last) = (parts[0].trimmingCharacters(in: .whitespaces), parts[1].trimmingCharacters(in: .whitespaces))
        if first.isEmpty {
            // The last N bytes.
            guard let count = Int(last), count >= 0 else { return .whole }
            guard count > 0, size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - count)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .partial(start...(size - 1)) }
        guard let end = Int(last), end >= start else { return .whole }
        return .partial(start...min(end, size - 1))
    }
}
