import ArgumentParser
import ArgusCore
import ArgusVision
import Foundation

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, verify, import and download models (in ARGUS_MODELS_DIR, default ./models).",
        subcommands: [List.self, Verify.self, Import.self, Pull.self])

    static var store: ModelStore { ModelStore(directory: ModelStore.defaultDirectory()) }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List known and custom models.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let store = Models.store
            let rows = store.manifests().map { manifest in
                [
                    manifest.id, manifest.task, manifest.family.rawValue,
                    "\(manifest.input.width)x\(manifest.input.height)", manifest.licence,
                    store.isInstalled(manifest) ? "yes" : "no",
                ]
            }
            if json {
                struct Entry: Encodable {
                    let id, task, family, input, licence: String
                    let installed: Bool
                }
                let entries = rows.map {
                    Entry(id: $0[0], task: $0[1], family: $0[2], input: $0[3], licence: $0[4], installed: $0[5] == "yes")
                }
                print(String(decoding: try JSONEncoder().encode(entries), as: UTF8.self))
                return
            }
            print(Table.render(header: ["ID", "TASK", "FAMILY", "INPUT", "LICENCE", "INSTALLED"], rows: rows))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check installed model files against their sha256; exit 1 on any mismatch.")

        @Argument(help: "Model ids (default: every installed model).")
        var ids: [String] = []

        func run() throws {
            let store = Models.store
            let manifests = try ids.isEmpty ? store.manifests().filter(store.isInstalled) : ids.map(store.manifest(for:))
            var failed = false
            for manifest in manifests {
                switch try store.verify(manifest) {
                case .verified: print("\(manifest.id): ok")
                case .noChecksum: print("\(manifest.id): no checksum recorded")
                case .missing:
                    failed = true
                    print("\(manifest.id): missing (\(store.path(for: manifest)))")
                case .mismatch(let actual):
                    failed = true
                    print("\(manifest.id): MISMATCH sha256 \(actual), expected \(manifest.sha256 ?? "")")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a model file into the models directory.",
            discussion: """
                For a catalogue id the file's sha256 must match the catalogue. For any other id, --family \
                describes the model and a manifest <id>.json is written beside it.
                """)

        @Argument(help: "The .onnx file.")
        var file: String

        @Option(name: .customLong("as"), help: "Model id.")
        var id: String

        @Option(help: "Output layout of a custom model: \(DetectorFamily.allCases.map(\.rawValue).joined(separator: ", ")).")
        var family: String?

        @Option(name: .customLong("input-size"), help: "Square input size of a custom model.")
        var inputSize: Int = 640

        @Option(help: "Labels of a custom model: 'coco' or a text file with one label per line.")
        var labels: String = "coco"

        func run() throws {
            let store = Models.store
            var custom: ModelManifest?
            if let family {
                guard let parsed = DetectorFamily(rawValue: family) else {
                    throw ValidationError(
                        "unknown family '\(family)'; use one of \(DetectorFamily.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                guard (32...4096).contains(inputSize) else { throw ValidationError("--input-size must be from 32 to 4096") }
                custom = ModelCatalogue.preset(
                    id: id, family: parsed, file: id + ".onnx", inputSize: inputSize, labels: try readLabels())
            }
            let manifest = try store.importFile(at: file, as: id, custom: custom)
            print("imported \(manifest.id) -> \(store.path(for: manifest))")
        }

        private func readLabels() throws -> [String] {
            if labels == "coco" { return COCOCategories.names }
            guard let text = try? String(contentsOfFile: labels, encoding: .utf8) else {
                throw ValidationError("cannot read labels file \(labels)")
            }
            let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            guard !names.isEmpty else { throw ValidationError("labels file \(labels) is empty") }
            return names
        }
    }
}

/// Fixed-width text tables for terminal output.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
