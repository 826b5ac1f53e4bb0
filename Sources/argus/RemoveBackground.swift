import ArgumentParser
import ArgusCore
import ArgusVision
import Dispatch
import Foundation
import Synchronization

struct RemoveBackground: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-bg",
        abstract: "Remove the background of images or folders of images.",
        discussion: """
            IN is an image file or a folder of images. With a file, OUT is the file to write \
            (or a folder to write it into); with a folder, OUT is a folder and each image is \
            written there as <name>.png (or .webp, .jpg). Prints one JSON line per image. The \
            exit status is 1 if any file failed.
            """)

    @Option(help: "The model: u2netp (default) or u2net (installed with U2NET=1 make setup).")
    var model: BackgroundModel = .default

    @Flag(name: .customLong("mask-only"), help: "Write the alpha matte as a grey image instead of the cut-out.")
    var maskOnly = false

    @Flag(help: "Cut the result to the object's bounds (see --padding).")
    var trim = false

    @Option(help: "Pixels kept around the object with --trim.")
    var padding: Int = 0

    @Option(name: .customLong("bg-color"), help: "Put the object over this colour (#rrggbb) instead of transparency.")
    var bgColor: String?

    @Option(help: "Output format: png, webp, or jpeg (only with --bg-color or --mask-only).")
    var format: CutoutFormat?

    @Flag(name: .customLong("no-refine"), help: "Use the model's saliency as the alpha, unrefined (as rembg does).")
    var noRefine = false

    @Option(help: "Width in pixels of the morphological kernel (0: none; default: 1/100 of the shorter side).")
    var kernel: Int?

    @Option(
        name: .customLong("min-component"),
        help: "Drop parts smaller than this share of the largest part, 0-1 (0: keep all; default 0.001).")
    var minComponent: Float?

    @Option(help: "Edge softening, a Gaussian sigma in pixels (0: hard edge; default: 1/500 of the shorter side).")
    var feather: Float?

    @Flag(name: .customLong("no-decontaminate"), help: "Keep the edge pixels' colours as they are.")
    var noDecontaminate = false

    @Flag(help: "Show a progress bar on stderr even when it is not a terminal.")
    var progress = false

    @Flag(help: "No progress bar.")
    var quiet = false

    @Option(help: "Intra-op threads for ONNX Runtime (0: one per core, or one per image with --jobs above 1).")
    var threads: Int = 0

    @Option(help: "Images processed at once (0: one per core when there are several).")
    var jobs: Int = 0

    @Option(help: "Path of libonnxruntime.so (default: ARGUS_ORT_LIBRARY or the one setup installed).")
    var ortLibrary: String?

    @Argument(help: "An image file or a folder of images.")
    var input: String

    @Argument(help: "The file or folder to write.")
    var output: String

    func validate() throws {
        guard padding >= 0 else { throw ValidationError("--padding must be 0 or more") }
        if let kernel, kernel < 0 { throw ValidationError("--kernel must be 0 or more") }
        if let feather, feather < 0 || !feather.isFinite { throw ValidationError("--feather must be 0 or more") }
        if let minComponent, !(0...1).contains(minComponent) { throw ValidationError("--min-component must be between 0 and 1") }
        if let bgColor, CutoutOptions.Background.color(hex: bgColor) == nil {
            throw ValidationError("--bg-color must be a colour such as #ffffff")
        }
        if format == .jpeg && bgColor == nil && !maskOnly { throw ValidationError(CutoutError.jpegHasNoAlpha.description) }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 or more") }
        guard jobs >= 0 else { throw ValidationError("--jobs must be 0 or more") }
    }

    func run() throws {
        let inputs = ImagePaths([input])
        for path in inputs.missing {
            printError("argus: \(path): no such file or folder")
            throw ExitCode(1)
        }
        // Several images at once, one ONNX Runtime thread each, keep every core busy through
        // the decoding and encoding too: on 2 cores 1.14 times the images per second of one
        // image at a time on 2 threads (bench/rembg_bench.py).
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parallel = jobs > 0 ? jobs : (inputs.files.count > 1 ? cores : 1)
        let intraOpThreads = threads > 0 ? threads : (parallel > 1 ? 1 : 0)
        let remover = try BackgroundLibrary(
            store: ModelStore(directory: ModelStore.defaultDirectory()), runtime: try ONNXRuntime.load(libraryPath: ortLibrary),
            sessionOptions: SessionOptions(intraOpThreads: intraOpThreads)
        ).remover(model)
        var matteOptions = MatteOptions()
        matteOptions.refine = !noRefine
        matteOptions.kernel = kernel
        matteOptions.feather = feather
        if let minComponent { matteOptions.minComponent = minComponent }
        var cutout = CutoutOptions()
        cutout.format = format ?? .png
        cutout.trim = trim
        cutout.padding = padding
        cutout.decontaminate = !noDecontaminate
        if maskOnly {
            cutout.background = .mask
        } else if let bgColor, let colour = CutoutOptions.Background.color(hex: bgColor) {
            cutout.background = colour
        }
        let destinations = try destinations(for: inputs, format: cutout.format)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The bar, the count and the output belong to whichever image finishes.
        let state = Mutex(
            Progress(
                bar: ProgressBar(
                    total: inputs.files.count,
                    enabled: !quiet && inputs.files.count > 1 && (progress || ProgressBar.isTerminal))))
        let work = Array(zip(inputs.files, destinations))
        let options = (matteOptions, cutout)
        DispatchQueue.concurrentPerform(iterations: parallel) { worker in
            for (path, destination) in stride(from: worker, to: work.count, by: parallel).map({ work[$0] }) {
                let (matteOptions, cutout) = options
                let outcome: Result<Line, any Error> = Result {
                    let start = ContinuousClock.now
                    let image = try Image.load(path: path, limits: ImageLimits(maxWidth: 16384, maxHeight: 16384))
                    let found = try remover.matte(image, options: matteOptions)
                    let rendered = try image.cutout(found.matte, options: cutout)
                    try Data(rendered.bytes).write(to: URL(fileURLWithPath: destination), options: .atomic)
                    return Line(
                        file: path, output: destination, width: rendered.width, height: rendered.height,
                        foreground: (found.matte.foregroundShare * 10000).rounded() / 10000,
                        milliseconds: ((ContinuousClock.now - start) / .milliseconds(1) * 10).rounded() / 10)
                }
                state.withLock { state in
                    state.done += 1
                    state.bar.clear()
                    switch outcome {
                    case .success(let line):
                        if let text = try? encoder.encode(line) { print(String(decoding: text, as: UTF8.self)) }
                    case .failure(let error):
                        state.failures += 1
                        printError("argus: \(path): \(error)")
                    }
                    state.bar.update(done: state.done, current: path)
                }
            }
        }
        if state.withLock({ state in
            state.bar.finish()
            return state.failures
        }) > 0 {
            throw ExitCode(1)
        }
    }

    private struct Progress {
        var bar: ProgressBar
        var done = 0
        var failures = 0
    }

    /// Where each input goes: OUT itself for one file (unless it is a folder), otherwise
    /// OUT/<name>.<format>.
    private func destinations(for inputs: ImagePaths, format: CutoutFormat) throws -> [String] {
        var isDirectory: ObjCBool = false
        let outputIsFolder = FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue
        if !inputs.sawFolder && inputs.files.count == 1 && !outputIsFolder {
            let folder = (output as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            return [output]
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let suffix = format == .jpeg ? "jpg" : format.rawValue
        return inputs.files.map { path in
            let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            return (output as NSString).appendingPathComponent(stem + "." + suffix)
        }
    }

    struct Line: Encodable {
        let file: String
        let output: String
        let width: Int
        let height: Int
        /// The share of the image that is the object.
        let foreground: Double
        let milliseconds: Double
    }
}

extension BackgroundModel: ExpressibleByArgument {}
extension CutoutFormat: ExpressibleByArgument {}
