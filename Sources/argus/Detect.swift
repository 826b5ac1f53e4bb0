import ArgumentParser
import ArgusCore
import ArgusVision
import Foundation

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Detect objects in images or folders of images.",
        discussion: "Unreadable files are reported on stderr and skipped; the exit status is 1 if any failed.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, jsonl, csv, coco }

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Minimum confidence, 0-1.")
    var conf: Float = DetectionOptions.defaultConfidence

    @Option(help: "IoU threshold for non-maximum suppression, 0-1.")
    var iou: Float = DetectionOptions.defaultIoU

    @Option(help: "Only these classes (comma-separated names or indices).")
    var classes: String?

    @Option(name: .customLong("max-det"), help: "Most detections per image.")
    var maxDet: Int = DetectionOptions.defaultMaxDetections

    @Flag(help: "Suppress overlaps across classes, not only within each class.")
    var agnostic = false

    @Option(help: "Detect large images in overlapping tiles: off, auto or WxH (as 832x832).")
    var tile: String = "off"

    @Option(name: .customLong("tile-overlap"), help: "The share of a tile its neighbours overlap, 0-0.9.")
    var tileOverlap: Float = Tiling.defaultOverlap

    @Option(help: "Output format: json, jsonl, csv or coco.")
    var format: Format = .json

    @Option(help: "Write annotated JPEGs into this folder.")
    var annotate: String?

    @Option(name: .customLong("max-side"), help: "Largest accepted image width or height.")
    var maxSide: Int = 16384

    @Flag(help: "Show a progress bar on stderr even when it is not a terminal.")
    var progress = false

    @Flag(help: "No progress bar.")
    var quiet = false

    @Argument(help: "Image files or folders.")
    var paths: [String]

    func validate() throws {
        guard (0...1).contains(conf) else { throw ValidationError("--conf must be between 0 and 1") }
        guard (0...1).contains(iou) else { throw ValidationError("--iou must be between 0 and 1") }
        guard maxDet >= 1 else { throw ValidationError("--max-det must be at least 1") }
        guard maxSide >= 1 else { throw ValidationError("--max-side must be at least 1") }
    }

    func run() throws {
        let detector = try modelOptions.loadDetector()
        let options = try detectionOptions(labels: detector.manifest.labels)
        let inputs = ImagePaths(paths)
        var failures = inputs.missing.count
        for path in inputs.missing { printError("argus: \(path): no such file or folder") }
        if let annotate {
            try FileManager.default.createDirectory(atPath: annotate, withIntermediateDirectories: true)
        }

        let writer = ResultWriter(format: format, model: detector.manifest)
        let bar = ProgressBar(
            total: inputs.files.count, enabled: !quiet && inputs.files.count > 1 && (progress || ProgressBar.isTerminal))
        for (index, path) in inputs.files.enumerated() {
            bar.update(done: index, current: path)
            do {
                let image = try readImage(path)
                let output = try detector.detect(image, options: options)
                writer.add(file: path, image: image, detections: output.detections)
                if let annotate { try writeAnnotated(image, detections: output.detections, source: path, folder: annotate) }
            } catch {
                failures += 1
                bar.clear()
                printError("argus: \(path): \(error)")
            }
        }
        bar.finish()
        writer.finish()
        if failures > 0 { throw ExitCode(1) }
    }

    private func detectionOptions(labels: [String]) throws -> DetectionOptions {
        var options = DetectionOptions(
            confidenceThreshold: conf, iouThreshold: iou, maxDetections: maxDet, classAgnostic: agnostic)
        guard let tiling = Tiling(parameter: tile) else {
            throw ValidationError("--tile must be off, auto or WxH (64-8192 each, as 832x832)")
        }
        guard (0...0.9).contains(tileOverlap) else { throw ValidationError("--tile-overlap must be between 0 and 0.9") }
        options.tiling = tiling
        options.tileOverlap = tileOverlap
        if let classes {
            do {
                options.classFilter = try ClassSelection.resolve(ClassSelection.split(classes), labels: labels)
            } catch {
                throw ValidationError("unknown class '\(error.name)' for model \(modelOptions.model)")
            }
        }
        return options
    }

    private func readImage(_ path: String) throws -> Image {
        try Image.load(path: path, limits: ImageLimits(maxWidth: maxSide, maxHeight: maxSide))
    }

    private func writeAnnotated(_ image: Image, detections: [Detection], source: String, folder: String) throws {
        let stem = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        let bytes = try image.annotated(with: detections).encoded(as: .jpeg(quality: 90))
        try Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(stem + ".jpg"), options: .atomic)
    }
}
