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
    }

    func run() throws {
        let detector = try modelOptions.loadDetector()
        let files = ImagePaths(paths).files
        guard !files.isEmpty else { throw ValidationError("no images found") }

        let limits = ImageLimits(maxWidth: 16384, maxHeight: 16384)
        let pipeline = { (path: String) throws in
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

        let report = Report(
            model: detector.manifest.id, threads: modelOptions.threads, images: files.count,
            pipeline_ms: Summary(pipelineTimes), ort_run_ms: Summary(runTimes))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    private func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now()
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }
}
