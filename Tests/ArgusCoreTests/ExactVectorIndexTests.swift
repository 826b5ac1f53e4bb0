import CVectorScan
import Foundation
import Testing

@testable import ArgusCore

/// The exact index against a plain sort of every dot product, through inserts, replaces,
/// removals and per-owner filtering.
@Suite struct ExactVectorIndexTests {
    /// A deterministic generator (SplitMix64), so that a failure repeats.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func unit(_ dimension: Int, _ generator: inout Generator) -> [Float] {
        let raw = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test func searchAgreesWithABruteForceRanking() {
        var generator = Generator(state: 7)
        var index = ExactVectorIndex<String, Int>(dimension: 64)
        var stored: [Int: (owner: String, vector: [Float])] = [:]
        for id in 0..<600 {
            let owner = id % 3 == 0 ? "a" : "b"
            let vector = Self.unit(64, &generator)
            index.upsert(id, owner: owner, vector: vector)
            stored[id] = (owner, vector)
        }
        // Replace some, remove others (the swap-with-last path included).
        for id in stride(from: 0, to: 600, by: 7) {
            let vector = Self.unit(64, &generator)
            index.upsert(id, owner: stored[id]!.owner, vector: vector)
            stored[id]!.vector = vector
        }
        for id in stride(from: 3, to: 600, by: 11) {
            index.remove(id)
            stored[id] = nil
        }
        // An id moving to another owner leaves the first one.
        index.upsert(1, owner: "a", vector: stored[1]!.vector)
        stored[1]!.owner = "a"
        #expect(index.count == stored.count)
        #expect(index.count(of: "a") == stored.values.filter { $0.owner == "a" }.count)

        for _ in 0..<20 {
            let query = Self.unit(64, &generator)
            for owner in ["a", "b"] {
                let expected = stored.filter { $0.value.owner == owner }
                    .map { (id: $0.key, score: Self.dot(query, $0.value.vector)) }
                    .sorted { $0.score > $1.score }.prefix(10)
                let found = index.search(query, owner: owner, limit: 10)
                #expect(found.map(\.id) == expected.map(\.id))
                for (match, want) in zip(found, expected) { #expect(abs(match.score - want.score) < 1e-4) }
            }
        }
    }

    @Test func thresholdExclusionAndUnknownOwners() {
        var index = ExactVectorIndex<String, Int>(dimension: 16)
        let x = [Float](repeating: 0.25, count: 16)
        var y = [Float](repeating: 0, count: 16)
        y[0] = 1
        index.upsert(1, owner: "a", vector: x)
        index.upsert(2, owner: "a", vector: x)
        index.upsert(3, owner: "a", vector: y)
        #expect(index.search(x, owner: "a", limit: 5, threshold: 0.9).map(\.id).sorted() == [1, 2])
        #expect(index.search(x, owner: "a", limit: 5, threshold: 0.9, excluding: 1).map(\.id) == [2])
        #expect(index.search(x, owner: "nobody", limit: 5).isEmpty)
        #expect(index.search(x, owner: "a", limit: 0).isEmpty)
        #expect(index.vector(of: 3) == y)
        #expect(index.pairs(owner: "a", threshold: 0.99).map { [$0.0, $0.1].sorted() } == [[1, 2]])
        index.remove(1)
        index.remove(2)
        index.remove(3)
        index.remove(3)
        #expect(index.count == 0 && index.count(of: "a") == 0)
    }

    /// The scan of the codes finds every row a scan of every float would: at the embedding's
    /// dimension, on vectors crowded round a few centres (near-duplicates, whose scores lie
    /// closer together than the codes can tell apart), with spiky vectors (one large value,
    /// so a coarse scale) and a zero vector among them, for limits from 1 to past the count.
    @Test func theCodedScanLosesNoRowOfTheFloatScan() {
        var generator = Generator(state: 11)
        let dimension = 1280
        var index = ExactVectorIndex<Int, Int>(dimension: dimension)
        var stored: [[Float]] = []
        let centres = (0..<4).map { _ in Self.unit(dimension, &generator) }
        for id in 0..<3000 {
            var vector: [Float]
            switch id % 10 {
            case 0..<6:
                // A centre moved by a little noise.
                let noise = Self.unit(dimension, &generator)
                let centre = centres[id % 4]
                let raw = zip(centre, noise).map { $0 + 0.02 * $1 }
                let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
                vector = raw.map { $0 / norm }
            case 6:
                vector = Self.unit(dimension, &generator)
                vector[id % dimension] = 0.9
                let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                vector = vector.map { $0 / norm }
            default:
                vector = Self.unit(dimension, &generator)
            }
            if id == 42 { vector = [Float](repeating: 0, count: dimension) }
            index.upsert(id, owner: 1, vector: vector)
            stored.append(vector)
        }
        var queries = centres + (0..<6).map { _ in Self.unit(dimension, &generator) }
        queries.append(stored[7])
        for query in queries {
            let scores = stored.map { vector in
                query.withUnsafeBufferPointer { q in
                    vector.withUnsafeBufferPointer { v in
                        ExactVectorIndex<Int, Int>.dot(q.baseAddress!, v.baseAddress!, count: dimension)
                    }
                }
            }
            let ranked = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            // Equal scores are many among near-duplicates: the first row ranks higher, as
            // a scan of every row offers them.
            for limit in [1, 10, 100, 4000] {
                let found = index.search(query, owner: 1, limit: limit)
                #expect(found.map(\.id) == Array(ranked.prefix(limit)), "limit \(limit)")
                #expect(found.map(\.score) == ranked.prefix(limit).map { scores[$0] })
            }
            let above = index.search(query, owner: 1, limit: 50, threshold: 0.5, excluding: ranked[0])
            #expect(above.map(\.id) == Array(ranked.dropFirst().filter { scores[$0] >= 0.5 }.prefix(50)))
        }
    }

    /// Each kernel the CPU runs gives the portable kernel's sums, at lengths that leave a
    /// tail after the wide chunks and with codes at both ends of their range.
    @Test func everyIntegerKernelAgreesWithThePortableOne() {
        var generator = Generator(state: 5)
        for dimension in [16, 48, 64, 100, 1280, 1300] {
            let count = 23
            let query = (0..<dimension).map { $0 % 7 == 0 ? Int8(-127) : Int8.random(in: -127...127, using: &generator) }
            let rows = (0..<(count * dimension)).map {
                $0 % 5 == 0 ? Int8($0 % 2 == 0 ? 127 : -127) : Int8.random(in: -127...127, using: &generator)
            }
            func dots(_ kernel: Int32) -> [Int32]? {
                var out = [Int32](repeating: 0, count: count)
                let status = argus_int8_dots_with(kernel, query, rows, count, dimension, &out)
                return status == 0 ? out : nil
            }
            let portable = dots(Int32(ARGUS_INT8_PORTABLE.rawValue))
            let expected = (0..<count).map { row in
                (0..<dimension).reduce(Int32(0)) { $0 + Int32(query[$1]) * Int32(rows[row * dimension + $1]) }
            }
            #expect(portable == expected)
            for kernel in [ARGUS_INT8_AVX2, ARGUS_INT8_AVX512_VNNI] where Int32(kernel.rawValue) <= argus_int8_best_kernel() {
                #expect(dots(Int32(kernel.rawValue)) == expected, "kernel \(kernel.rawValue), \(dimension)-d")
            }
        }
    }

    @Test func topKKeepsTheBestInOrder() {
        var top = TopK<Int>(capacity: 3)
        for (id, score) in [(1, 0.5), (2, 0.9), (3, 0.1), (4, 0.7), (5, 0.95), (6, 0.2)] {
            top.offer(id, score: Float(score))
        }
        #expect(top.sorted().map(\.id) == [5, 2, 4])
        #expect(top.floor == 0.7)
        // Of equal scores the first offered ranks higher and stays at the cut.
        var tied = TopK<Int>(capacity: 3)
        for id in [9, 3, 7, 1, 8] { tied.offer(id, score: id == 1 ? 0.9 : 0.5) }
        #expect(tied.sorted().map(\.id) == [1, 9, 3])
    }
}
