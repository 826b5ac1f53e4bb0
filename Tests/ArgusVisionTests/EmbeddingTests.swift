import ArgusCore
import ArgusTestSupport
import Foundation
import Testing

@testable import ArgusVision

/// EfficientNet-Lite0 as setup converts it (scripts/effnet2onnx.py, no PyTorch): its tags
/// on photos whose subject is known, and its embeddings and tags against the independent
/// Python pipeline (bench/reference/effnet_ref.py; Golden/efficientnet-lite0/samples.json,
/// made by `scripts/make-goldens.sh efficientnet-lite0`).
@Suite struct EmbeddingTests {
    static let embedder: ImageEmbedder = {
        do {
            let models = TestEnvironment.repoRoot.appendingPathComponent("models")
            return try ImageEmbedder(
                modelPath: models.appendingPathComponent(ImageEmbedder.modelFile).path,
                labelsPath: models.appendingPathComponent(ImageEmbedder.labelsFile).path, runtime: TestEnvironment.runtime,
                options: SessionOptions(intraOpThreads: 1))
        } catch {
            fatalError("EfficientNet-Lite0 is not installed (run make setup): \(error)")
        }
    }()

    struct GoldenEntry: Decodable {
        let top5: [[Value]]
        let embedding: [Float]?

        enum Value: Decodable {
            case label(String), score(Float)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .label(text)
                } else {
                    self = .score(try container.decode(Float.self))
                }
            }
        }

        var labels: [String] { top5.compactMap { if case .label(let text) = $0.first { text } else { nil } } }
    }

    static let golden: [String: GoldenEntry] = {
        let url = TestEnvironment.repoRoot.appendingPathComponent("Tests/ArgusVisionTests/Golden/efficientnet-lite0/samples.json")
        do {
            return try JSONDecoder().decode([String: GoldenEntry].self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()

    static func sample(_ name: String) throws -> Image {
        try Image.load(path: TestEnvironment.shared.appendingPathComponent("datasets/samples/images/\(name)").path)
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// The converted model knows these photos: the checkpoint, the graph (padding, folded
    /// batch norms, activations) and the preprocessing are right together.
    @Test(arguments: [
        ("opencv_baboon.jpg", "baboon"), ("opencv_orange.jpg", "orange"), ("skimage_coffee.png", "espresso"),
        ("opencv_squirrel_cls.jpg", "fox squirrel"), ("opencv_messi5.jpg", "soccer ball"),
    ])
    func knownPhotosGetTheirClassFirst(_ name: String, _ label: String) throws {
        let embedding = try Self.embedder.embed(try Self.sample(name))
        #expect(embedding.tags.first?.label == label, "\(name): \(embedding.tags)")
        #expect((embedding.tags.first?.score ?? 0) > 0.5)
    }

    @Test func embeddingsMatchTheReferencePipeline() throws {
        let withVectors = Self.golden.filter { $0.value.embedding != nil }
        #expect(withVectors.count == 4)
        for (name, entry) in withVectors {
            let embedding = try Self.embedder.embed(try Self.sample(name))
            #expect(embedding.vector.count == ImageEmbedder.dimension)
            let norm = Self.dot(embedding.vector, embedding.vector).squareRoot()
            #expect(abs(norm - 1) < 1e-4)
            let cosine = Self.dot(embedding.vector, entry.embedding!)
            let largest = zip(embedding.vector, entry.embedding!).map { abs($0 - $1) }.max() ?? 1
            #expect(cosine >= 0.9999, "\(name): cosine \(cosine) with the reference")
            #expect(largest <= 1e-4, "\(name): max |Δ| \(largest)")
        }
    }

    /// The same five classes in the same order, with the same probabilities.
    @Test func tagsMatchTheReferencePipeline() throws {
        for (name, entry) in Self.golden {
            let tags = try Self.embedder.embed(try Self.sample(name), tags: TagOptions(limit: 5, threshold: 0)).tags
            #expect(tags.map(\.label) == entry.labels, "\(name)")
            for (tag, row) in zip(tags, entry.top5) {
                if case .score(let score) = row.last { #expect(abs(tag.score - score) < 1e-3, "\(name): \(tag.label)") }
            }
        }
    }

    /// Sensible tags: what a person would call these photos is among the first two.
    @Test(arguments: [("darknet_eagle.jpg", "bald eagle"), ("skimage_chelsea.png", "tiger cat"), ("opencv_fruits.jpg", "orange")])
    func tagsAreSensible(_ name: String, _ label: String) throws {
        let tags = try Self.embedder.embed(try Self.sample(name)).tags
        #expect(tags.prefix(2).contains { $0.label == label }, "\(name): \(tags)")
    }

    /// Photos of the same thing are closer than photos of different things; a re-encoded,
    /// resized copy is closest of all.
    @Test func similarImagesScoreHigher() throws {
        let orange = try Self.embedder.embed(try Self.sample("opencv_orange.jpg")).vector
        let fruits = try Self.embedder.embed(try Self.sample("opencv_fruits.jpg")).vector
        let baboon = try Self.embedder.embed(try Self.sample("opencv_baboon.jpg")).vector
        let original = try Self.sample("skimage_coffee.png")
        let copy = try Image.decode(
            try original.resampled(width: original.width * 3 / 4, height: original.height * 3 / 4).encoded(as: .jpeg(quality: 80))
        )
        let coffee = try Self.embedder.embed(original).vector
        let coffeeCopy = try Self.embedder.embed(copy).vector
        #expect(Self.dot(orange, fruits) > Self.dot(orange, baboon))
        #expect(Self.dot(coffee, coffeeCopy) > 0.85, "a resized JPEG copy: \(Self.dot(coffee, coffeeCopy))")
        #expect(Self.dot(coffee, coffeeCopy) > Self.dot(orange, fruits))
    }

    @Test func tagOptionsLimitAndThreshold() throws {
        let image = try Self.sample("darknet_dog.jpg")
        let all = try Self.embedder.embed(image, tags: TagOptions(limit: 10, threshold: 0)).tags
        #expect(all.count == 10)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.score >= $1.score })
        let few = try Self.embedder.embed(image, tags: TagOptions(limit: 10, threshold: 0.2)).tags
        #expect(few.allSatisfy { $0.score >= 0.2 })
        #expect(few.count < all.count)
    }
}

/// Near-duplicates found by the exact index: a photo resized, recompressed, cropped by 10%
/// or mirrored ranks its original first among every sample photo and the 128 COCO images.
@Suite struct NearDuplicateTests {
    static func mirrored(_ image: Image) -> Image {
        let pixels = image.bgrPixels
        var flipped = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let from = (y * image.width + x) * 3, to = (y * image.width + image.width - 1 - x) * 3
                flipped[to] = pixels[from]
                flipped[to + 1] = pixels[from + 1]
                flipped[to + 2] = pixels[from + 2]
            }
        }
        return Image(bgr: flipped, width: image.width, height: image.height)
    }

    static func variants(_ image: Image) throws -> [(String, Image)] {
        let w = image.width, h = image.height
        return [
            ("resized", try image.resampled(width: w * 3 / 5, height: h * 3 / 5)),
            ("recompressed", try Image.decode(try image.encoded(as: .jpeg(quality: 40)))),
            ("cropped", try image.cropped(x: w / 20, y: h / 20, width: w - w / 10, height: h - h / 10)),
            ("mirrored", mirrored(image)),
        ]
    }

    @Test func editedCopiesRankTheirOriginalFirst() throws {
        let embedder = EmbeddingTests.embedder
        let folders = ["datasets/samples/images", "datasets/coco128/train2017"].map {
            TestEnvironment.shared.appendingPathComponent($0).path
        }
        var index = ExactVectorIndex<Int, String>(dimension: ImageEmbedder.dimension)
        for folder in folders {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            where name.hasSuffix(".jpg") || name.hasSuffix(".png") {
                let image = try Image.load(path: folder + "/" + name)
                index.upsert(name, owner: 0, vector: try embedder.embed(image).vector)
            }
        }
        #expect(index.count >= 140)
        for name in ["skimage_coffee.png", "opencv_baboon.jpg", "darknet_eagle.jpg", "opencv_messi5.jpg"] {
            let original = try EmbeddingTests.sample(name)
            for (edit, copy) in try Self.variants(original) {
                let found = index.search(try embedder.embed(copy).vector, owner: 0, limit: 2)
                #expect(found.first?.id == name, "\(name) \(edit): \(found)")
            }
        }
    }
}
