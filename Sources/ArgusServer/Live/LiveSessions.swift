import Synchronization

/// The live sessions open now: a session is taken only while fewer than the limit are.
final class LiveSessions: Sendable {
    private let open = Atomic(0)

    /// Takes a place, or false when all `limit` are taken.
    func enter(limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func leave() { open.subtract(1, ordering: .acquiringAndReleasing) }

    var count: Int { open.load(ordering: .relaxed) }
}
