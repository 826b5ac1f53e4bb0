import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import Testing

/// The compatibility APIs with real clients, unchanged: scripts/compat_clients.py runs
/// tritonclient[http] against `/v2` (raw outputs against onnxruntime run directly, max
/// |Δ| ≤ 1e-5, JSON and binary tensors) and deepstack-python against `/v1/vision` (its
/// predictions against the native `/api/v1/detect`), here against a live server.
private let benchPython = TestEnvironment.repoRoot.appendingPathComponent(".deps/venv-bench/bin/python")

@Suite(
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: benchPython.path), "needs the bench venv (make test installs it)"))
struct CompatibleClientsTests {

    @Test func tritonclientAndDeepStackPythonGetTheAnswersOfTheirReferences() async throws {
        // `argus serve` loads its default detector before it opens the port; /v2/health/ready waits for it.
        _ = try TestEnvironment.detectors.detector(for: ModelCatalogue.defaultDetector)
        try await TestServer.run(transport: .live) { client, _ in
            let api = APIClient(client: client)
            let key = try await api.apiKey(for: try await api.signUp())
            let port = try #require(client.port)
            let outcome = try await ArgusProcess.run(
                [
                    TestEnvironment.repoRoot.appendingPathComponent("scripts/compat_clients.py").path,
                    "--url", "http://127.0.0.1:\(port)", "--api-key", key, "--models", TestEnvironment.models.directory,
                    "--image", TestEnvironment.sampleImage("darknet_dog.jpg").path,
                ], program: benchPython)
            #expect(outcome.status == 0, "\(outcome.stdout)\n\(outcome.stderr)")
            #expect(outcome.stdout.contains("all compatibility checks passed"), "\(outcome.stdout)")
        }
    }
}
