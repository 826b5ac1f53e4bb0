import ArgumentParser
import ArgusCore
import ArgusVision
import Foundation

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

    @Option(help: "Intra-op threads for ONNX Runtime (0: one per core).")
    var threads: Int = 0

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
    }

    func run() throws {
        let remover = try BackgroundLibrary(
            store: ModelStore(directory: ModelStore.defaultDirectory()), runtime: try ONNXRuntime.load(libraryPath: ortLibrary),
            sessionOptions: SessionOptions(intraOpThreads: threads)
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
        let inputs = ImagePaths([input])
        for path in inputs.missing {
            printError("argus: \(path): no such file or folder")
            throw ExitCode(1)
        }
        let destinations = try destinations(for: inputs, format: cutout.format)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bar = ProgressBar(
            total: inputs.files.count, enabled: !quiet && inputs.files.count > 1 && (progress || ProgressBar.isTerminal))
        var failures = 0
        for (index, (path, destination)) in zip(inputs.files, destinations).enumerated() {
            bar.update(done: index, current: path)
            do {
                let start = ContinuousClock.now
                let image = try Image.load(path: path, limits: ImageLimits(maxWidth: 16384, maxHeight: 16384))
                let found = try remover.matte(image, options: matteOptions)
                let rendered = try image.cutout(found.matte, options: cutout)
                try Data(rendered.bytes).write(to: URL(fileURLWithPath: destination), options: .atomic)
                let line = Line(
                    file: path, output: destination, width: rendered.width, height: rendered.height,
                    foreground: (found.matte.foregroundShare * 10000).rounded() / 10000,
                    milliseconds: ((ContinuousClock.now - start) / .milliseconds(1) * 10).rounded() / 10)
                bar.clear()
                print(String(decoding: try encoder.encode(line), as: UTF8.self))
            } catch {
                failures += 1
                bar.clear()
                printError("argus: \(path): \(error)")
            }
        }
        bar.finish()
        if failures > 0 { throw ExitCode(1) }
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
