/// Greedy non-maximum suppression: the highest score wins, and any later box of the
/// same class (or any class, when agnostic) overlapping it by more than the threshold is
/// dropped. Returns at most `maxDetections`, best first.
public enum NonMaxSuppression {
    /// How two boxes' overlap is measured.
    public enum Overlap: Sendable {
        /// Intersection over union: a detector's own duplicates.
        case iou
        /// Intersection over the smaller box: the parts of one object that tiles cut.
        case intersectionOverSmaller
    }

    public static func apply(
        _ candidates: [Candidate], iouThreshold: Float, maxDetections: Int, classAgnostic: Bool = false,
        overlap: Overlap = .iou
    ) -> [Candidate] {
        guard maxDetections > 0 else { return [] }
        let sorted = candidates.sorted { $0.score > $1.score }
        if classAgnostic {
            return suppress(sorted, iouThreshold: iouThreshold, limit: maxDetections, overlap: overlap)
        }

        var byClass: [Int: [Candidate]] = [:]
        for candidate in sorted { byClass[candidate.classId, default: []].append(candidate) }
        var kept: [Candidate] = []
        for group in byClass.values {
            kept += suppress(group, iouThreshold: iouThreshold, limit: maxDetections, overlap: overlap)
        }
        kept.sort { $0.score > $1.score }
        return Array(kept.prefix(maxDetections))
    }

    /// `sorted` must be in descending score order.
    private static func suppress(_ sorted: [Candidate], iouThreshold: Float, limit: Int, overlap: Overlap) -> [Candidate] {
        func overlapping(_ a: BoundingBox, _ b: BoundingBox) -> Float {
            overlap == .iou ? a.iou(b) : a.intersectionOverSmaller(b)
        }
        var kept: [Candidate] = []
        var removed = [Bool](repeating: false, count: sorted.count)
        for i in sorted.indices where !removed[i] {
            kept.append(sorted[i])
            if kept.count == limit { break }
            for j in (i + 1)..<sorted.count where !removed[j] && overlapping(sorted[i].box, sorted[j].box) > iouThreshold {
                removed[j] = true
            }
        }
        return kept
    }
}
