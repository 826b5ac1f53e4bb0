import Crypto
import Foundation

public enum ModelStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownModel(String, known: [String])
    case notInstalled(String, path: String)
    case checksumMismatch(file: String, expected: String, actual: String)
    case invalidId(String)
    case invalidManifest(String)
    case io(String)

    public var description: String {
        switch self {
        case .unknownModel(let id, let known):
            "unknown model '\(id)'; known models: \(known.joined(separator: ", "))"
        case .notInstalled(let id, let path):
            "model '\(id)' is not installed (expected \(path)); " + Self.remedy(id: id, path: path)
        case .checksumMismatch(let file, let expected, let actual):
            "\(file): sha256 is \(actual), expected \(expected)"
        case .invalidId(let id):
            "invalid model id '\(id)': use letters, digits, '-', '_' and '.' (at most 64)"
        case .invalidManifest(let detail): "invalid model manifest: \(detail)"
        case .io(let detail): detail
        }
    }
}

extension ModelStoreError {
    /// The one way that works for this model: setup builds the YOLOv3-tiny files, a
    /// catalogue model with a download URL is pulled, any other is imported from a file.
    /// A relative models folder is named as such: it is the most common reason a
    /// model that is installed is not found (a command run outside the repository root).
    static func remedy(id: String, path: String) -> String {
        let how: String
        if ModelCatalogue.installedBySetup.contains(id) {
            how = "run `make setup` in the repository"
        } else if ModelCatalogue.entry(id)?.url != nil {
            how = "run `argus models pull \(id)`"
        } else {
            let file = (path as NSString).lastPathComponent
            how = "it has no download URL: import your copy with `argus models import PATH/\(file) --as \(id)`"
        }
        guard !path.hasPrefix("/") else { return how }
        let directory = FileManager.default.currentDirectoryPath
        return how
            + ". The models folder '\((path as NSString).deletingLastPathComponent)' is relative to the working directory (\(directory)); if the models are elsewhere, set ARGUS_MODELS_DIR to their absolute path"
    }
}

/// The models directory: catalogue models live there as their `file`, custom models as
/// `<id>.onnx` with a `<id>.json` manifest beside it.
public struct ModelStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `ARGUS_MODELS_DIR`, or `./models`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["ARGUS_MODELS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "models"
    }

    /// The catalogue followed by the custom models found in the directory.
    public func manifests() -> [ModelManifest] {
        ModelCatalogue.entries + customManifests()
    }

    public func manifest(for id: String) throws -> ModelManifest {
        if let entry = ModelCatalogue.entry(id) { return entry }
        if let custom = customManifests().first(where: { $0.id == id }) { return custom }
        throw ModelStoreError.unknownModel(id, known: manifests().map(\.id))
    }

    public func path(for manifest: ModelManifest) -> String {
        directory + "/" + manifest.file
    }

    public func isInstalled(_ manifest: ModelManifest) -> Bool {
        FileManager.default.fileExists(atPath: path(for: manifest))
    }

    /// The file of an installed model, or `notInstalled`.
    public func installedPath(for manifest: ModelManifest) throws -> String {
        let path = path(for: manifest)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelStoreError.notInstalled(manifest.id, path: path)
        }
        return path
    }

    public enum Verification: Equatable, Sendable {
        case verified
        case missing
        case noChecksum
        case mismatch(actual: String)
    }

    public func verify(_ manifest: ModelManifest) throws -> Verification {
        guard isInstalled(manifest) else { return .missing }
        guard let expected = manifest.sha256 else { return .noChecksum }
        let actual = try Self.sha256(ofFile: path(for: manifest))
        return actual == expected ? .verified : .mismatch(actual: actual)
    }

    /// Copies `source` into the directory for a catalogue model (its sha256 must match)
    /// or for a custom model described by `custom` (its manifest is written beside it).
    @discardableResult
    public func importFile(at source: String, as id: String, custom: ModelManifest? = nil) throws -> ModelManifest {
        guard ModelManifest.isValidId(id) else { throw ModelStoreError.invalidId(id) }
        guard FileManager.default.isReadableFile(atPath: source) else {
            throw ModelStoreError.io("cannot read \(source)")
        }
        let actual = try Self.sha256(ofFile: source)
        var manifest: ModelManifest
        if let entry = ModelCatalogue.entry(id) {
            guard custom == nil else {
                throw ModelStoreError.invalidManifest("'\(id)' is a catalogue model; import it without --family")
            }
            if let expected = entry.sha256, expected != actual {
                throw ModelStoreError.checksumMismatch(file: source, expected: expected, actual: actual)
            }
            manifest = entry
        } else {
            guard var described = custom else {
                throw ModelStoreError.unknownModel(id, known: ModelCatalogue.entries.map(\.id))
            }
            described.id = id
            described.file = id + ".onnx"
            described.sha256 = actual
            manifest = described
        }
        try createDirectory()
        try copyAtomically(from: source, to: path(for: manifest))
        if custom != nil {
            try writeManifest(manifest)
        }
        return manifest
    }

    /// Moves a finished download into place once its checksum is known to be right.
    public func install(downloadedFile: String, for manifest: ModelManifest) throws {
        try createDirectory()
        let destination = path(for: manifest)
        _ = try? FileManager.default.removeItem(atPath: destination)
        guard rename(downloadedFile, destination) == 0 else {
            throw ModelStoreError.io("cannot move the download to \(destination): \(String(cString: strerror(errno)))")
        }
    }

    public func createDirectory() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelStoreError.io("cannot create \(directory): \(error.localizedDescription)")
        }
    }

    private func customManifests() -> [ModelManifest] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let decoder = JSONDecoder()
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                let manifest = try? decoder.decode(ModelManifest.self, from: data),
                ModelCatalogue.entry(manifest.id) == nil
            else { return nil }
            return manifest
        }
    }

    private func writeManifest(_ manifest: ModelManifest) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(manifest)
        let url = URL(fileURLWithPath: directory + "/" + manifest.id + ".json")
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ModelStoreError.io("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    private func copyAtomically(from source: String, to destination: String) throws {
        let temporary = destination + ".partial-\(UUID().uuidString)"
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            throw ModelStoreError.io("cannot copy \(source): \(error.localizedDescription)")
        }
        _ = try? FileManager.default.removeItem(atPath: destination)
        guard rename(temporary, destination) == 0 else {
            _ = try? FileManager.default.removeItem(atPath: temporary)
            throw ModelStoreError.io("cannot write \(destination)")
        }
    }

    /// Hex sha256 of a file, read in chunks.
    public static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ModelStoreError.io("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    public static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
