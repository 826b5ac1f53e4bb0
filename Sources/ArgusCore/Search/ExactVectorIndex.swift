import CVectorScan
import Dispatch
import Foundation

/// An exact nearest-neighbour index over L2-normalised vectors. Every vector of one owner
/// (a user) lies in one contiguous Float32 block, and beside it in a block of 8-bit codes
/// (`Int8Code`), a quarter of the bytes. A query scans the codes first: each row's coded
/// score, with a bound on how far the true score can be from it, gives a floor that the
/// `limit` best reach, and only the rows whose bound reaches that floor are scored again
/// from their floats. The answer is the one a scan of every float would give, at about a
/// quarter of the memory traffic (1280-d: about 55 ns per vector on one core).
/// Not thread-safe: its owner serialises access.
public struct ExactVectorIndex<Owner: Hashable & Sendable, ID: Hashable & Sendable>: Sendable {
    public let dimension: Int

    private struct Shard: Sendable {
        var ids: [ID] = []
        var vectors: [Float] = []
        /// Each row's codes, row after row, and their scale and norms.
        var codes: [Int8] = []
        var coding: [Int8Code] = []
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
        var codes = [Int8](repeating: 0, count: dimension)
        let coding = vector.withUnsafeBufferPointer { values in
            codes.withUnsafeMutableBufferPointer { Int8Code.encode(values, into: $0) }
        }
        if let location = locations[id] {
            if location.owner == owner {
                let range = location.row * dimension..<(location.row + 1) * dimension
                shards[owner]!.vectors.replaceSubrange(range, with: vector)
                shards[owner]!.codes.replaceSubrange(range, with: codes)
                shards[owner]!.coding[location.row] = coding
                return
            }
            remove(id)
        }
        // In place: a copy of the shard would make every insert cost the whole shard.
        locations[id] = (owner, shards[owner]?.ids.count ?? 0)
        shards[owner, default: Shard()].ids.append(id)
        shards[owner, default: Shard()].vectors.append(contentsOf: vector)
        shards[owner, default: Shard()].codes.append(contentsOf: codes)
        shards[owner, default: Shard()].coding.append(coding)
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
            shards[owner]!.codes.withUnsafeMutableBufferPointer { codes in
                for offset in 0..<dimension { codes[row * dimension + offset] = codes[last * dimension + offset] }
            }
            shards[owner]!.coding[row] = shards[owner]!.coding[last]
            locations[moved] = (owner, row)
        }
        if last == 0 {
            shards[owner] = nil
        } else {
            shards[owner]!.ids.removeLast()
            shards[owner]!.vectors.removeLast(dimension)
            shards[owner]!.codes.removeLast(dimension)
            shards[owner]!.coding.removeLast()
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
        let dimension = dimension
        var queryCodes = [Int8](repeating: 0, count: dimension)
        let (queryCoding, queryNorm) = query.withUnsafeBufferPointer { values in
            (queryCodes.withUnsafeMutableBufferPointer { Int8Code.encode(values, into: $0) }, Int8Code.norm(values))
        }
        var dots = [Int32](repeating: 0, count: rows)
        queryCodes.withUnsafeBufferPointer { q in
            shard.codes.withUnsafeBufferPointer { block in
                dots.withUnsafeMutableBufferPointer { out in
                    let scan = CodeScan(query: q.baseAddress!, block: block.baseAddress!, dots: out.baseAddress!)
                    // Large blocks are scanned on every core: one core alone does not use
                    // up the memory bandwidth.
                    let parts = rows >= Self.parallelRows ? Self.cores : 1
                    let span = (rows + parts - 1) / parts
                    let scanPart = { @Sendable (part: Int) in
                        let first = part * span
                        let end = min(rows, first + span)
                        guard first < end else { return }
                        argus_int8_dots(scan.query, scan.block + first * dimension, end - first, dimension, scan.dots + first)
                    }
                    if parts == 1 { scanPart(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: scanPart) }
                }
            }
        }
        var excludedRow = -1
        if let excluding, let location = locations[excluding], location.owner == owner { excludedRow = location.row }

        // A row's true score lies within `bound` of its coded score: the coding errors'
        // share (see Int8Code), plus the rounding of a float dot product of this length
        // and of the coded score itself, with a margin for the bound's own rounding.
        let estimates = Estimates(
            query: queryCoding, queryNorm: queryNorm, rounding: Float(dimension + 8) * .ulpOfOne)
        var best = TopK<Int>(capacity: limit)
        dots.withUnsafeBufferPointer { dots in
            shard.coding.withUnsafeBufferPointer { coding in
                // The `limit`-th best lower end: the `limit` best true scores all reach it.
                var lowerEnds = TopK<Int>(capacity: limit)
                var lowerFloor = -Float.infinity
                for row in 0..<rows where row != excludedRow {
                    let (score, bound) = estimates.of(coding[row], dot: dots[row])
                    guard score - bound >= lowerFloor else { continue }
                    lowerEnds.offer(row, score: score - bound)
                    if let full = lowerEnds.floor { lowerFloor = full.nextUp }
                }
                let reach = max(threshold, lowerEnds.floor ?? -.infinity)
                // Only rows whose upper end reaches it can be among the best: those are
                // scored from their floats, in row order, as a scan of every row offers them.
                var floor = threshold
                shard.vectors.withUnsafeBufferPointer { block in
                    query.withUnsafeBufferPointer { q in
                        for row in 0..<rows where row != excludedRow {
                            let (score, bound) = estimates.of(coding[row], dot: dots[row])
                            guard score + bound >= reach else { continue }
                            let exact = Self.dot(q.baseAddress!, block.baseAddress! + row * dimension, count: dimension)
                            guard exact >= floor else { continue }
                            best.offer(row, score: exact)
                            if let full = best.floor { floor = max(threshold, full.nextUp) }
                        }
                    }
                }
            }
        }
        return best.sorted().map { SimilarityMatch(id: shard.ids[$0.id], score: $0.score) }
    }

    /// A row's coded score and the bound on its distance from the true score.
    private struct Estimates {
        let scale: Float, queryError: Float, queryNorm: Float, queryReach: Float, rounding: Float

        init(query: Int8Code, queryNorm: Float, rounding: Float) {
            scale = query.scale
            queryError = query.error
            self.queryNorm = queryNorm
            queryReach = queryNorm + query.error
            self.rounding = rounding
        }

        @inline(__always)
        func of(_ coding: Int8Code, dot: Int32) -> (score: Float, bound: Float) {
            let score = coding.scale * scale * Float(dot)
            let bound =
                (coding.norm * queryError + coding.error * queryNorm + rounding * (coding.norm + coding.error) * queryReach)
                * 1.001
            return (score, bound)
        }
    }

    /// One query's buffers, shared by the threads that scan disjoint rows of it.
    private struct CodeScan: @unchecked Sendable {
        let query: UnsafePointer<Int8>
        let block: UnsafePointer<Int8>
        let dots: UnsafeMutablePointer<Int32>
    }

    /// The integer kernel this CPU runs the first pass with: `avx512-vnni`, `avx2` or
    /// `portable`.
    public static var scanKernel: String {
        switch argus_int8_best_kernel() {
        case Int32(ARGUS_INT8_AVX512_VNNI.rawValue): "avx512-vnni"
        case Int32(ARGUS_INT8_AVX2.rawValue): "avx2"
        default: "portable"
        }
    }

    /// Rows from which a query is scanned on every core.
    static var parallelRows: Int { 8_192 }
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
