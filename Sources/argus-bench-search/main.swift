// The Swift side of bench/search_bench.py: loads N float32 vectors of D dimensions (the
// file's raw little-endian bytes, row after row) into ArgusCore's ExactVectorIndex, runs
// each query of a second file, and prints one JSON object: per-query milliseconds and the
// top-k ids (row numbers) of every query, for the script to check against numpy's.
//
//   argus-bench-search VECTORS.f32 QUERIES.f32 DIMENSION K
import ArgusCore
import Foundation

/// The file mapped, not read: a million 1280-d vectors are 5 GB.
func mapped(_ path: String) -> Data {
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        exit(1)
    }
    return data
}

/// Row `row` of a file of `dimension`-float rows.
func row(_ data: Data, _ row: Int, _ dimension: Int) -> [Float] {
    data.withUnsafeBytes { raw in
        Array(UnsafeBufferPointer(rebasing: raw.bindMemory(to: Float.self)[row * dimension..<(row + 1) * dimension]))
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 5, let dimension = Int(arguments[3]), let k = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: argus-bench-search VECTORS.f32 QUERIES.f32 DIMENSION K\n".utf8))
    exit(64)
}
let vectors = mapped(arguments[1])
let queries = mapped(arguments[2])
var index = ExactVectorIndex<Int, Int>(dimension: dimension)
let loadStart = ContinuousClock.now
for number in 0..<(vectors.count / 4 / dimension) {
    index.upsert(number, owner: 0, vector: row(vectors, number, dimension))
}
let loadTime = loadStart.duration(to: .now)
var milliseconds: [Double] = []
var results: [[Int]] = []
for number in 0..<(queries.count / 4 / dimension) {
    let query = row(queries, number, dimension)
    let start = ContinuousClock.now
    let found = index.search(query, owner: 0, limit: k)
    let elapsed = start.duration(to: .now)
    milliseconds.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    results.append(found.map(\.id))
}
let output: [String: Any] = [
    "vectors": index.count, "load_s": Double(loadTime.components.seconds) + Double(loadTime.components.attoseconds) / 1e18,
    "ms": milliseconds, "top": results, "kernel": ExactVectorIndex<Int, Int>.scanKernel,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: output), as: UTF8.self))
