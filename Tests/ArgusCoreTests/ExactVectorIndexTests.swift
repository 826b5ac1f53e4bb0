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

    @Test func topKKeepsTheBestInOrder() {
        var top = TopK<Int>(capacity: 3)
        for (id, score) in [(1, 0.5), (2, 0.9), (3, 0.1), (4, 0.7), (5, 0.95), (6, 0.2)] {
            top.offer(id, score: Float(score))
        }
        #expect(top.sorted().map(\.id) == [5, 2, 4])
        #expect(top.floor == 0.7)
    }
}
