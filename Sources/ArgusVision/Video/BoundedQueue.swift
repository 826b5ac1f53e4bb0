import Foundation

/// A blocking first-in first-out queue of bounded size between two threads of a pipeline:
/// a fast stage waits for a slow one instead of piling frames up in memory.
final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private let capacity: Int
    private var finished = false
    private var abandoned = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Waits for room; false when the consumer has abandoned the queue.
    @discardableResult
    func put(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !abandoned { condition.wait() }
        guard !abandoned else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for an item; nil once the producer has finished and everything was taken, or
    /// the queue was abandoned.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished && !abandoned { condition.wait() }
        guard !abandoned, !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// The producer is done: what is queued is still taken.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Either side gives up: what is queued is dropped and both sides stop waiting.
    func abandon() {
        condition.lock()
        abandoned = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
