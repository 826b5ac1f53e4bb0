import ArgumentParser
import ArgusVision
import Dispatch
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the detection pipeline and the bare ONNX Runtime run on the same images.",
        discussion: """
            Prints one JSON object: per-image milliseconds of the whole pipeline (read file, decode, \
            preprocess, inference, decode outputs, NMS) and of the session run alone on pre-made tensors. \
            bench/detect_bench.py compares these against a Python pipeline in the same run.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Untimed runs on the first N images before measuring.")
    var warmup = 3

    @Option(help: "Timed passes over all images.")
    var runs = 1

    @Option(
        help: "With --seconds: pipelines run at once on threads of their own, all sharing the session (the server's arrangement)."
    )
    var concurrency = 1

    @Option(help: "Also measure throughput: --concurrency threads loop over the images for this many seconds.")
    var seconds: Double = 0

    @Argument(help: "Image files or folders.")
    var paths: [String]

    struct Summary: Encodable {
        let mean: Double
        let p50: Double
        let p90: Double

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            mean = sorted.reduce(0, +) / Double(max(sorted.count, 1))
            p50 = Self.percentile(sorted, 0.5)
            p90 = Self.percentile(sorted, 0.9)
        }

        static func percentile(_ sorted: [Double], _ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
        }
    }

    struct Report: Encodable {
        let model: String
        let threads: Int
        let images: Int
        let pipeline_ms: Summary
        let ort_run_ms: Summary
        let concurrency: Int
        /// Images a second with `concurrency` threads busy: the whole pipeline, and the
        /// session run alone on pre-made tensors. Nil without --seconds.
        let throughput_ips: Double?
        let ort_throughput_ips: Double?
    }

    func run() throws {
        let detector = try modelOptions.loadDetector()
        let files = ImagePaths(paths).files
        guard !files.isEmpty else { throw ValidationError("no images found") }

        let limits = ImageLimits(maxWidth: 16384, maxHeight: 16384)
        let pipeline = { @Sendable (path: String) throws in
            _ = try detector.detect(try Image.load(path: path, limits: limits))
        }
        for path in files.prefix(warmup) { try pipeline(path) }
        var pipelineTimes: [Double] = []
        for _ in 0..<runs {
            for path in files { pipelineTimes.append(try time { try pipeline(path) }) }
        }

        let tensors = try files.map { path in try detector.inputTensor(for: try Image.load(path: path, limits: limits)) }
        for tensor in tensors.prefix(warmup) { _ = try detector.session.run([tensor]) }
        var runTimes: [Double] = []
        for _ in 0..<runs {
            for tensor in tensors {
                try tensor.data.withUnsafeBufferPointer { buffer in
                    runTimes.append(try time { try detector.session.run([(tensor.shape, buffer)]) { _ in } })
                }
            }
        }

        var throughput: Double?
        var ortThroughput: Double?
        if seconds > 0 {
            throughput = Self.throughput(threads: concurrency, seconds: seconds, items: files) { try pipeline($0) }
            ortThroughput = Self.throughput(threads: concurrency, seconds: seconds, items: tensors) { tensor in
                try tensor.data.withUnsafeBufferPointer { buffer in try detector.session.run([(tensor.shape, buffer)]) { _ in } }
            }
        }
        let report = Report(
            model: detector.manifest.id, threads: modelOptions.threads, images: files.count,
            pipeline_ms: Summary(pipelineTimes), ort_run_ms: Summary(runTimes), concurrency: concurrency,
            throughput_ips: throughput, ort_throughput_ips: ortThroughput)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    /// Completed items a second while `threads` threads each loop over `items` (from
    /// different starting points) for `seconds`.
    private static func throughput<Item: Sendable>(
        threads: Int, seconds: Double, items: [Item], _ body: @escaping @Sendable (Item) throws -> Void
    ) -> Double {
        let counts = Counts(threads)
        let group = DispatchGroup()
        let start = DispatchTime.now()
        let end = start.uptimeNanoseconds + UInt64(seconds * 1e9)
        for index in 0..<threads {
            group.enter()
            let thread = Thread {
                var next = index * items.count / max(threads, 1)
                while DispatchTime.now().uptimeNanoseconds < end {
                    if (try? body(items[next % items.count])) != nil { counts.values[index] += 1 }
                    next += 1
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return Double(counts.values.reduce(0, +)) / elapsed
    }

    private func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now()
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }
}

/// One slot per thread of `Bench.throughput`, each written by its own thread only and
/// read after they have all finished.
private final class Counts: @unchecked Sendable {
    var values: [Int]
    init(_ count: Int) { values = Array(repeating: 0, count: count) }
}
