import Foundation

/// Near-duplicate groups from the pairs of images at least a threshold alike: connected
/// components (union-find), so that A~B and B~C put A, B and C in one group.
struct DuplicateGroups {
    struct Group {
        var members: [UUID]
        /// The weakest link that joined the group.
        var minScore: Float
        var maxScore: Float
        /// Each member's best similarity to another member.
        var best: [UUID: Float]
    }

    static func groups(_ pairs: [(UUID, UUID, Float)]) -> [Group] {
        var parent: [UUID: UUID] = [:]
        func root(_ id: UUID) -> UUID {
            var id = id
            while let up = parent[id], up != id {
                parent[id] = parent[up] ?? up  // path halving
                id = up
            }
            return id
        }
        for (a, b, _) in pairs {
            if parent[a] == nil { parent[a] = a }
            if parent[b] == nil { parent[b] = b }
            let (ra, rb) = (root(a), root(b))
            if ra != rb { parent[ra.uuidString < rb.uuidString ? rb : ra] = ra.uuidString < rb.uuidString ? ra : rb }
        }
        var groups: [UUID: Group] = [:]
        for (a, b, score) in pairs {
            let r = root(a)
            var group = groups[r] ?? Group(members: [], minScore: score, maxScore: score, best: [:])
            for id in [a, b] {
                if group.best[id] == nil { group.members.append(id) }
                group.best[id] = max(group.best[id] ?? score, score)
            }
            group.minScore = min(group.minScore, score)
            group.maxScore = max(group.maxScore, score)
            groups[r] = group
        }
        return groups.values.sorted {
            $0.members.count != $1.members.count ? $0.members.count > $1.members.count : $0.maxScore > $1.maxScore
        }
    }
}
