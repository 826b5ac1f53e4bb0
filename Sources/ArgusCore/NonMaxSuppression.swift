/// Greedy non-maximum suppression: the highest score wins, and any later box of the
/// same class (or any class, when agnostic) overlapping it by more than the IoU
/// threshold is dropped. Returns at most `maxDetections`, best first.
public enum NonMaxSuppression {
    public static func apply(
        _ candidates: [Candidate], iouThreshold: Float, maxDetections: Int, classAgnostic: Bool = false
    ) -> [Candidate] {
        guard maxDetections > 0 else { return [] }
        let sorted = candidates.sorted { $0.score > $1.score }
        if classAgnostic { return suppress(sorted, iouThreshold: iouThreshold, limit: maxDetections) }

        var byClass: [Int: [Candidate]] = [:]
        for candidate in sorted { byClass[candidate.classId, default: []].append(candidate) }
        var kept: [Candidate] = []
        for group in byClass.values {
            kept += suppress(group, iouThreshold: iouThreshold, limit: maxDetections)
        }
        kept.sort { $0.score > $1.score }
        return Array(kept.prefix(maxDetections))
    }

    /// `sorted` must be in descending score order.
    private static func suppress(_ sorted: [Candidate], iouThreshold: Float, limit: Int) -> [Candidate] {
        var kept: [Candidate] = []
        var removed = [Bool](repeating: false, count: sorted.count)
        for i in sorted.indices where !removed[i] {
            kept.append(sorted[i])
            if kept.count == limit { break }
            for j in (i + 1)..<sorted.count where !removed[j] && sorted[i].box.iou(sorted[j].box) > iouThreshold {
                removed[j] = true
            }
        }
        return kept
    }
}
