import ArgumentParser
import ArgusCore
import ArgusVision
import Foundation

/// What `argus embed` and `argus tags` share: the model, the inputs, one JSON line each.
struct EmbeddingOptions: ParsableArguments {
    @Option(help: "At most this many tags per image.")
    var limit: Int = TagOptions.defaultLimit

    @Option(help: "Leave out tags with a lower probability, 0-1.")
    var threshold: Float = TagOptions.defaultThreshold

    @Option(help: "Intra-op threads for ONNX Runtime (0: one per core).")
    var threads: Int = 0

    @Option(help: "Path of libonnxruntime.so (default: ARGUS_ORT_LIBRARY or the one setup installed).")
    var ortLibrary: String?

    @Argument(help: "Image files or folders.")
    var paths: [String]

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 or more") }
    }

    /// Embeds every input and prints `line(path, image, embedding)` for each, as JSON.
    func run<Line: Encodable>(_ line: (String, Image, ImageEmbedding) -> Line) throws {
        let embedder = try EmbeddingLibrary(
            store: ModelStore(directory: ModelStore.defaultDirectory()), runtime: try ONNXRuntime.load(libraryPath: ortLibrary),
            sessionOptions: SessionOptions(intraOpThreads: threads)
        ).embedder()
        let options = TagOptions(limit: limit, threshold: threshold)
        let inputs = ImagePaths(paths)
        var failures = inputs.missing.count
        for path in inputs.missing { printError("argus: \(path): no such file or folder") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for path in inputs.files {
            do {
                let image = try Image.load(path: path, limits: ImageLimits(maxWidth: 16384, maxHeight: 16384))
                let embedding = try embedder.embed(image, tags: options)
                print(String(decoding: try encoder.encode(line(path, image, embedding)), as: UTF8.self))
            } catch {
                failures += 1
                printError("argus: \(path): \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

struct TagLine: Encodable {
    let label: String
    let class_id: Int
    let score: Float

    init(_ tag: ImageTag) {
        label = tag.label
        class_id = tag.classId
        score = (tag.score * 10_000).rounded() / 10_000
    }
}

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the embedding and tags of images or folders of images.",
        discussion: """
            Prints one JSON line per image: its 1280-d EfficientNet-Lite0 embedding \
            (L2-normalised: the dot product of two is their cosine similarity) and its tags \
            (ImageNet classes by probability). The exit status is 1 if any file failed.
            """)

    @OptionGroup var options: EmbeddingOptions

    struct Line: Encodable {
        let file: String
        let model: String
        let dimension: Int
        let embedding: [Float]
        let tags: [TagLine]
    }

    func run() throws {
        try options.run { path, _, embedding in
            Line(
                file: path, model: ImageEmbedder.modelName, dimension: embedding.vector.count, embedding: embedding.vector,
                tags: embedding.tags.map(TagLine.init))
        }
    }
}

struct Tags: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the tags (ImageNet classes) of images or folders of images.",
        discussion: "Prints one JSON line per image with its tags, best first. The exit status is 1 if any file failed.")

    @OptionGroup var options: EmbeddingOptions

    struct Line: Encodable {
        let file: String
        let width: Int
        let height: Int
        let tags: [TagLine]
    }

    func run() throws {
        try options.run { path, image, embedding in
            Line(file: path, width: image.width, height: image.height, tags: embedding.tags.map(TagLine.init))
        }
    }
}
