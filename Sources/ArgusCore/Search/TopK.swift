/// The `capacity` best-scored items seen, kept in a min-heap so that each offer costs
/// O(log k) and a full scan O(n log k).
public struct TopK<ID: Hashable & Sendable>: Sendable {
    public let capacity: Int
    private var heap: [SimilarityMatch<ID>] = []

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        heap.reserveCapacity(self.capacity)
    }

    /// The lowest score kept, once full: anything not above it is not worth offering.
    public var floor: Float? { heap.count == capacity ? heap.first?.score : nil }

    public mutating func offer(_ id: ID, score: Float) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            heap.append(SimilarityMatch(id: id, score: score))
            siftUp(heap.count - 1)
        } else if score > heap[0].score {
            heap[0] = SimilarityMatch(id: id, score: score)
            siftDown(0)
        }
    }

    /// Best first.
    public func sorted() -> [SimilarityMatch<ID>] { heap.sorted { $0.score > $1.score } }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].score < heap[parent].score else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].score < heap[smallest].score { smallest = left }
            if right < heap.count, heap[right].score < heap[smallest].score { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
