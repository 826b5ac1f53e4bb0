/// An exact nearest-neighbour index over L2-normalised vectors: every vector of one owner
/// (a user) lies in one contiguous Float32 block, and a query is a SIMD dot product with
/// each of them, the best kept in a heap. Exact, and fast enough for the tens of
/// thousands of images one server holds (1280-d: about 2 µs per vector on one core).
/// Not thread-safe: its owner serialises access.
public struct ExactVectorIndex<Owner: Hashable & Sendable, ID: Hashable & Sendable>: Sendable {
    public let dimension: Int

    private struct Shard: Sendable {
        var ids: [ID] = []
        var vectors: [Float] = []
    }

    private var shards: [Owner: Shard] = [:]
    private var locations: [ID: (owner: Owner, row: Int)] = [:]

    public init(dimension: Int) {
        precondition(dimension > 0 && dimension % 16 == 0, "the dimension must be a positive multiple of 16")
        self.dimension = dimension
    }

    public var count: Int { locations.count }

    public func contains(_ id: ID) -> Bool { locations[id] != nil }

    public func count(of owner: Owner) -> Int { shards[owner]?.ids.count ?? 0 }

    /// Adds `vector` for `id`, or replaces the one it had.
    public mutating func upsert(_ id: ID, owner: Owner, vector: [Float]) {
        precondition(vector.count == dimension, "a \(vector.count)-d vector in a \(dimension)-d index")
        if let location = locations[id] {
            if location.owner == owner {
                shards[owner]!.vectors.replaceSubrange(
                    location.row * dimension..<(location.row + 1) * dimension, with: vector)
                return
            }
            remove(id)
        }
        var shard = shards[owner, default: Shard()]
        locations[id] = (owner, shard.ids.count)
        shard.ids.append(id)
        shard.vectors.append(contentsOf: vector)
        shards[owner] = shard
    }

    /// Removes `id`'s vector: the owner's last row moves into its place.
    public mutating func remove(_ id: ID) {
        guard let (owner, row) = locations.removeValue(forKey: id), var shard = shards[owner] else { return }
        let last = shard.ids.count - 1
        if row != last {
            let moved = shard.ids[last]
            shard.ids[row] = moved
            shard.vectors.withUnsafeMutableBufferPointer { values in
                for offset in 0..<dimension { values[row * dimension + offset] = values[last * dimension + offset] }
            }
            locations[moved] = (owner, row)
        }
        shard.ids.removeLast()
        shard.vectors.removeLast(dimension)
        shards[owner] = shard.ids.isEmpty ? nil : shard
    }

    /// The stored vector of `id`.
    public func vector(of id: ID) -> [Float]? {
        guard let (owner, row) = locations[id], let shard = shards[owner] else { return nil }
        return Array(shard.vectors[row * dimension..<(row + 1) * dimension])
    }

    /// The `limit` vectors of `owner` most similar to `query`, best first, each scoring at
    /// least `threshold`; `excluding` (the query image itself, say) is skipped.
    public func search(
        _ query: [Float], owner: Owner, limit: Int, threshold: Float = -1, excluding: ID? = nil
    ) -> [SimilarityMatch<ID>] {
        precondition(query.count == dimension, "a \(query.count)-d query in a \(dimension)-d index")
        guard let shard = shards[owner], limit > 0 else { return [] }
        var best = TopK<ID>(capacity: limit)
        query.withUnsafeBufferPointer { q in
            shard.vectors.withUnsafeBufferPointer { block in
                for (row, id) in shard.ids.enumerated() where id != excluding {
                    let score = Self.dot(q.baseAddress!, block.baseAddress! + row * dimension, count: dimension)
                    if score >= threshold { best.offer(id, score: score) }
                }
            }
        }
        return best.sorted()
    }

    /// Every pair of `owner`'s vectors scoring at least `threshold`, each pair once
    /// (an O(n²) scan, which is what an exact answer costs).
    public func pairs(owner: Owner, threshold: Float) -> [(ID, ID, Float)] {
        guard let shard = shards[owner] else { return [] }
        var found: [(ID, ID, Float)] = []
        shard.vectors.withUnsafeBufferPointer { block in
            for i in shard.ids.indices {
                for j in (i + 1)..<shard.ids.count {
                    let score = Self.dot(
                        block.baseAddress! + i * dimension, block.baseAddress! + j * dimension, count: dimension)
                    if score >= threshold { found.append((shard.ids[i], shard.ids[j], score)) }
                }
            }
        }
        return found
    }

    /// The dot product of two `count`-float vectors, `count` a multiple of 16.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum = SIMD16<Float>()
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        var offset = 0
        while offset < count {
            let x = rawA.loadUnaligned(fromByteOffset: offset * 4, as: SIMD16<Float>.self)
            let y = rawB.loadUnaligned(fromByteOffset: offset * 4, as: SIMD16<Float>.self)
            sum.addProduct(x, y)
            offset += 16
        }
        return sum.sum()
    }
}
