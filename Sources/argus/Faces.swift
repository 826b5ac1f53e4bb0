import ArgumentParser
import ArgusCore
import ArgusVision
import Foundation

struct Faces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find faces in images or folders of images, and optionally hide them.",
        discussion: """
            Prints one JSON line per image: its faces with their boxes, confidences and five \
            landmarks. With --redact, writes each image with its faces hidden into that folder \
            (re-encoded, so no metadata survives). The exit status is 1 if any file failed.
            """)

    @Option(help: "Minimum confidence, 0-1.")
    var conf: Float = FaceOptions.defaultConfidence

    @Option(name: .customLong("max-side"), help: "Longest side the model sees; larger images are scaled down to it.")
    var maxSide: Int = FaceOptions.defaultMaxSide

    @Option(help: "Write the images with their faces hidden into this folder.")
    var redact: String?

    @Option(help: "How faces are hidden: blur, pixelate or box.")
    var method: RedactionMethod = .blur

    @Option(help: "A share of each face's size added on every side before hiding it, 0-1.")
    var margin: Float = 0.2

    @Option(help: "Intra-op threads for ONNX Runtime (0: one per core).")
    var threads: Int = 0

    @Option(help: "Path of libonnxruntime.so (default: ARGUS_ORT_LIBRARY or the one setup installed).")
    var ortLibrary: String?

    @Argument(help: "Image files or folders.")
    var paths: [String]

    func validate() throws {
        guard (0...1).contains(conf) else { throw ValidationError("--conf must be between 0 and 1") }
        guard (0...1).contains(margin) else { throw ValidationError("--margin must be between 0 and 1") }
        guard maxSide >= 32 else { throw ValidationError("--max-side must be at least 32") }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 or more") }
    }

    func run() throws {
        let detector = try FaceLibrary(
            store: ModelStore(directory: ModelStore.defaultDirectory()), runtime: try ONNXRuntime.load(libraryPath: ortLibrary),
            sessionOptions: SessionOptions(intraOpThreads: threads)
        ).detector()
        let options = FaceOptions(confidenceThreshold: conf, maxSide: maxSide)
        let inputs = ImagePaths(paths)
        var failures = inputs.missing.count
        for path in inputs.missing { printError("argus: \(path): no such file or folder") }
        if let redact { try FileManager.default.createDirectory(atPath: redact, withIntermediateDirectories: true) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for path in inputs.files {
            do {
                let image = try Image.load(path: path, limits: ImageLimits(maxWidth: 16384, maxHeight: 16384))
                let faces = try detector.detect(image, options: options).faces
                let line = FaceLine(
                    file: path, width: image.width, height: image.height,
                    faces: faces.map {
                        FaceLine.Entry(confidence: $0.confidence, bbox: BoxRecord($0.box), landmarks: $0.landmarks)
                    })
                print(String(decoding: try encoder.encode(line), as: UTF8.self))
                if let redact {
                    let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                    let bytes = try image.redacted(faces.map(\.box), method: method, margin: margin).encoded(as: .png)
                    try Data(bytes).write(
                        to: URL(fileURLWithPath: redact).appendingPathComponent(stem + ".png"), options: .atomic)
                }
            } catch {
                failures += 1
                printError("argus: \(path): \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    struct FaceLine: Encodable {
        struct Entry: Encodable {
            let confidence: Float
            let bbox: BoxRecord
            let landmarks: [Point]
        }
        let file: String
        let width: Int
        let height: Int
        let faces: [Entry]
    }
}

extension RedactionMethod: ExpressibleByArgument {}
