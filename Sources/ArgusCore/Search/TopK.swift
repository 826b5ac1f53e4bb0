/// The `capacity` best-scored items seen, kept in a min-heap so that each offer costs
/// O(log k) and a full scan O(n log k). Of equal scores, the one offered first ranks
/// higher and stays at the cut: the same offers in the same order always give the same
/// answer, however the heap happens to hold them.
public struct TopK<ID: Hashable & Sendable>: Sendable {
    public let capacity: Int
    private var heap: [Entry] = []
    private var offered = 0

    private struct Entry: Sendable {
        let match: SimilarityMatch<ID>
        let order: Int

        /// Ranks below `other`: a lower score, or the same one offered later.
        func isWorse(than other: Entry) -> Bool {
            match.score < other.match.score || (match.score == other.match.score && order > other.order)
        }
    }

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        heap.reserveCapacity(self.capacity)
    }

    /// The lowest score kept, once full: anything not above it is not worth offering.
    public var floor: Float? { heap.count == capacity ? heap.first?.match.score : nil }

    public mutating func offer(_ id: ID, score: Float) {
        guard capacity > 0 else { return }
        let entry = Entry(match: SimilarityMatch(id: id, score: score), order: offered)
        offered += 1
        if heap.count < capacity {
            heap.append(entry)
            siftUp(heap.count - 1)
        } else if heap[0].isWorse(than: entry) {
            heap[0] = entry
            siftDown(0)
        }
    }

    /// Best first.
    public func sorted() -> [SimilarityMatch<ID>] { heap.sorted { $1.isWorse(than: $0) }.map(\.match) }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].isWorse(than: heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].isWorse(than: heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].isWorse(than: heap[smallest]) { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
