import Dispatch
import Foundation

/// An exact nearest-neighbour index over L2-normalised vectors: every vector of one owner
/// (a user) lies in one contiguous Float32 block, and a query is a SIMD dot product with
/// each of them, the best kept in a heap. Exact, and fast enough for the tens of
/// thousands of images one server holds (1280-d: about 0.2 µs per vector on one core).
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
        // In place: a copy of the shard would make every insert cost the whole shard.
        locations[id] = (owner, shards[owner]?.ids.count ?? 0)
        shards[owner, default: Shard()].ids.append(id)
        shards[owner, default: Shard()].vectors.append(contentsOf: vector)
    }

    /// Removes `id`'s vector: the owner's last row moves into its place.
    public mutating func remove(_ id: ID) {
        guard let (owner, row) = locations.removeValue(forKey: id), let count = shards[owner]?.ids.count else { return }
        let last = count - 1
        let dimension = dimension
        if row != last, let moved = shards[owner]?.ids[last] {
            shards[owner]!.ids[row] = moved
            shards[owner]!.vectors.withUnsafeMutableBufferPointer { values in
                for offset in 0..<dimension { values[row * dimension + offset] = values[last * dimension + offset] }
            }
            locations[moved] = (owner, row)
        }
        if last == 0 {
            shards[owner] = nil
        } else {
            shards[owner]!.ids.removeLast()
            shards[owner]!.vectors.removeLast(dimension)
        }
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
        let rows = shard.ids.count
        var scores = [Float](repeating: 0, count: rows)
        let dimension = dimension
        query.withUnsafeBufferPointer { q in
            shard.vectors.withUnsafeBufferPointer { block in
                scores.withUnsafeMutableBufferPointer { out in
                    let scan = Scan(query: q.baseAddress!, block: block.baseAddress!, scores: out.baseAddress!)
                    // Large blocks are scored on every core: the scan is bound by memory
                    // bandwidth, which one core alone does not use up.
                    let parts = rows >= Self.parallelRows ? Self.cores : 1
                    let span = (rows + parts - 1) / parts
                    let score = { @Sendable (part: Int) in
                        for row in (part * span)..<min(rows, (part + 1) * span) {
                            scan.scores[row] = Self.dot(scan.query, scan.block + row * dimension, count: dimension)
                        }
                    }
                    if parts == 1 { score(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: score) }
                }
            }
        }
        // The excluded row scores below anything, and only scores above the heap's floor
        // are offered to it: the scan itself stays free of generic calls.
        if let excluding, let location = locations[excluding], location.owner == owner { scores[location.row] = -.infinity }
        var best = TopK<Int>(capacity: limit)
        var floor = threshold
        for (row, score) in scores.enumerated() where score >= floor {
            best.offer(row, score: score)
            if let full = best.floor { floor = max(threshold, full.nextUp) }
        }
        return best.sorted().map { SimilarityMatch(id: shard.ids[$0.id], score: $0.score) }
    }

    /// One query's buffers, shared by the threads that score disjoint rows of it.
    private struct Scan: @unchecked Sendable {
        let query: UnsafePointer<Float>
        let block: UnsafePointer<Float>
        let scores: UnsafeMutablePointer<Float>
    }

    /// Rows from which a query is scored on every core.
    static var parallelRows: Int { 32_768 }
    static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

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

    /// The dot product of two `count`-float vectors, `count` a multiple of 16: two
    /// 8-wide accumulators, which the compiler keeps in registers on any x86-64 (a
    /// `SIMD16` loaded with `loadUnaligned` measured 15 times slower).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var low = SIMD8<Float>(), high = SIMD8<Float>()
        var offset = 0
        while offset < count {
            low +=
                SIMD8(UnsafeBufferPointer(start: a + offset, count: 8)) * SIMD8(UnsafeBufferPointer(start: b + offset, count: 8))
            high +=
                SIMD8(UnsafeBufferPointer(start: a + offset + 8, count: 8))
                * SIMD8(UnsafeBufferPointer(start: b + offset + 8, count: 8))
            offset += 16
        }
        return (low + high).sum()
    }
}
