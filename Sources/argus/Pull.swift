import ArgumentParser
import ArgusVision
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

extension Models {
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a catalogue model by its URL and verify its sha256.",
            discussion: """
                ARGUS_MODEL_MIRROR (or --mirror) replaces the catalogue URL with MIRROR/<file name>, for \
                machines that reach a local copy instead of the internet.
                """)

        @Argument(help: "Model id.")
        var id: String

        @Option(help: "Download from this URL instead of the catalogue's.")
        var url: String?

        @Option(help: "Base URL of a mirror holding the model files by name.")
        var mirror: String?

        @Flag(help: "Download even when the installed file already verifies.")
        var force = false

        @Option(help: "Give up after this many seconds.")
        var timeout: Int64 = 600

        func run() async throws {
            let store = Models.store
            let manifest = try store.manifest(for: id)
            guard let expected = manifest.sha256 else { throw ValidationError("model \(id) has no checksum to verify") }
            if !force, try store.verify(manifest) == .verified {
                print("\(id): already installed and verified")
                return
            }
            let source = try sourceURL(for: manifest)
            try store.createDirectory()
            let partial = store.path(for: manifest) + ".partial"
            let actual = try await download(source, to: partial)
            guard actual == expected else {
                try? FileManager.default.removeItem(atPath: partial)
                throw ModelStoreError.checksumMismatch(file: source, expected: expected, actual: actual)
            }
            try store.install(downloadedFile: partial, for: manifest)
            print("\(id): downloaded and verified -> \(store.path(for: manifest))")
        }

        private func sourceURL(for manifest: ModelManifest) throws -> String {
            if let url { return url }
            let base = mirror ?? ProcessInfo.processInfo.environment["ARGUS_MODEL_MIRROR"].flatMap { $0.isEmpty ? nil : $0 }
            if let base { return base.hasSuffix("/") ? base + manifest.file : base + "/" + manifest.file }
            guard let url = manifest.url else {
                let how =
                    ModelCatalogue.installedBySetup.contains(manifest.id)
                    ? "setup builds it: run `make setup` in the repository"
                    : "import your copy with `argus models import PATH/\(manifest.file) --as \(manifest.id)`"
                throw ValidationError("model \(manifest.id) has no download URL: \(how) (or pass --url or --mirror)")
            }
            return url
        }

        /// Streams the body to `path`, hashing as it goes; returns the hex sha256.
        private func download(_ url: String, to path: String) async throws -> String {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
            guard response.status == .ok else {
                throw ValidationError("GET \(url) answered \(response.status.code) \(response.status.reasonPhrase)")
            }
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let handle = FileHandle(forWritingAtPath: path)
            else { throw ModelStoreError.io("cannot write \(path)") }
            defer { try? handle.close() }
            var hasher = SHA256()
            do {
                for try await chunk in response.body {
                    let bytes = Data(buffer: chunk)
                    hasher.update(data: bytes)
                    try handle.write(contentsOf: bytes)
                }
                try handle.synchronize()
            } catch {
                try? FileManager.default.removeItem(atPath: path)
                throw error
            }
            return ModelStore.hex(hasher.finalize())
        }
    }
}
