import ArgusTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct ModelsCommandTests {
    let sharedModels = TestEnvironment.shared.appendingPathComponent("models")

    @Test func listShowsCatalogueAndCustomModels() async throws {
        let outcome = try await ArgusProcess.run(["models", "list"])
        #expect(outcome.status == 0)
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID") == true)
        let tiny = try #require(lines.first { $0.hasPrefix("yolov3-tiny ") })
        #expect(tiny.contains("darknet-yolo") && tiny.contains("416x416") && tiny.hasSuffix("yes"))
        #expect(lines.contains { $0.hasPrefix("yolov8n-int8 ") && $0.contains("yolov8") })

        let json = try await ArgusProcess.run(["models", "list", "--json"])
        let entries = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.contains { $0["id"] as? String == "picodet-s" && $0["installed"] as? Bool == true })
    }

    @Test func verifyChecksEveryInstalledFile() async throws {
        let outcome = try await ArgusProcess.run(["models", "verify"])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("yolov3-tiny: ok"))
        #expect(outcome.stdout.contains("yolox-nano: ok"))

        let folder = try TestEnvironment.temporaryDirectory("verify")
        try FileManager.default.copyItem(
            at: sharedModels.appendingPathComponent("picodet-s/picodet_s_320_coco.onnx"),
            to: folder.appendingPathComponent("picodet_s_320_coco.onnx"))
        try Data([1, 2, 3]).write(to: folder.appendingPathComponent("nanodet_m_416.onnx"))
        let bad = try await ArgusProcess.run(["models", "verify"], environment: ["ARGUS_MODELS_DIR": folder.path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("picodet-s: ok"))
        #expect(bad.stdout.contains("nanodet-m: MISMATCH"))
    }

    @Test func importChecksCatalogueSumsAndDescribesCustomModels() async throws {
        let folder = try TestEnvironment.temporaryDirectory("import")
        let environment = ["ARGUS_MODELS_DIR": folder.path]
        let wrong = try await ArgusProcess.run(
            [
                "models", "import", sharedModels.appendingPathComponent("picodet-s/picodet_s_320_coco.onnx").path, "--as",
                "yolox-nano",
            ],
            environment: environment)
        #expect(wrong.status != 0 && wrong.stderr.contains("sha256"))

        let custom = try await ArgusProcess.run(
            [
                "models", "import", sharedModels.appendingPathComponent("yolox-nano/yolox_nano_416.onnx").path, "--as",
                "house-yolox",
                "--family", "yolox", "--input-size", "416",
            ], environment: environment)
        #expect(custom.status == 0, "\(custom.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("house-yolox.json").path))
        let detect = try await ArgusProcess.run(
            ["detect", "--model", "house-yolox", TestEnvironment.sampleImage("darknet_dog.jpg").path], environment: environment)
        #expect(detect.status == 0 && detect.stdout.contains("\"dog\""))

        let badFamily = try await ArgusProcess.run(
            [
                "models", "import", sharedModels.appendingPathComponent("yolox-nano/yolox_nano_416.onnx").path, "--as", "x",
                "--family", "rcnn",
            ],
            environment: environment)
        #expect(badFamily.status != 0 && badFamily.stderr.contains("unknown family"))
    }

    /// `argus models pull` against a local HTTP server standing in for the model host.
    @Test func pullDownloadsVerifiesAndRefusesBadBytes() async throws {
        let good = try Data(contentsOf: sharedModels.appendingPathComponent("yolox-nano/yolox_nano_416.onnx"))
        let wrong = try Data(contentsOf: sharedModels.appendingPathComponent("picodet-s/picodet_s_320_coco.onnx"))
        let router = Router()
        router.get("/good/yolox_nano_416.onnx") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: good)))
        }
        router.get("/bad/yolox_nano_416.onnx") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: wrong)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let folder = try TestEnvironment.temporaryDirectory("pull")
            let environment = ["ARGUS_MODELS_DIR": folder.path]
            let installed = folder.appendingPathComponent("yolox_nano_416.onnx")

            let bad = try await ArgusProcess.run(
                ["models", "pull", "yolox-nano", "--mirror", "http://127.0.0.1:\(port)/bad"], environment: environment)
            #expect(bad.status != 0 && bad.stderr.contains("sha256"))
            #expect(!FileManager.default.fileExists(atPath: installed.path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)

            let missing = try await ArgusProcess.run(
                ["models", "pull", "yolox-nano", "--mirror", "http://127.0.0.1:\(port)/nothing"], environment: environment)
            #expect(missing.status != 0 && missing.stderr.contains("404"))

            let pulled = try await ArgusProcess.run(
                ["models", "pull", "yolox-nano"],
                environment: environment.merging(["ARGUS_MODEL_MIRROR": "http://127.0.0.1:\(port)/good"]) { $1 })
            #expect(pulled.status == 0, "\(pulled.stderr)")
            #expect(try Data(contentsOf: installed) == good)
            let again = try await ArgusProcess.run(
                ["models", "pull", "yolox-nano", "--mirror", "http://127.0.0.1:\(port)/bad"], environment: environment)
            #expect(again.status == 0 && again.stdout.contains("already installed"))
        }
        let noURL = try await ArgusProcess.run(
            ["models", "pull", "yolov3-tiny", "--force"],
            environment: ["ARGUS_MODELS_DIR": try TestEnvironment.temporaryDirectory("pull").path])
        #expect(noURL.status != 0 && noURL.stderr.contains("no download URL"))
    }
}

/// CLI refusals that say how to fix them.
@Suite struct CLIRefusalTests {
    @Test func aRefusedSettingPrintsTheCommandsOwnUsage() async throws {
        let serve = try await ArgusProcess.run(["serve"], environment: ["ARGUS_PORT": "eighty"])
        #expect(serve.status == 64)
        #expect(serve.stderr.contains("ARGUS_PORT=eighty is invalid"))
        #expect(serve.stderr.contains("Usage: argus serve"), "\(serve.stderr)")
        #expect(!serve.stderr.contains("argus <subcommand>"))
    }

    @Test func aMissingModelSaysHowToInstallItAndWhereItWasLookedFor() async throws {
        let image = TestEnvironment.sampleImage("darknet_dog.jpg").path
        // A relative models folder, as when the binary runs outside the repository root.
        let relative = try await ArgusProcess.run(
            ["detect", "--model", "picodet-s", image], environment: ["ARGUS_MODELS_DIR": "no-such-models-dir"])
        #expect(relative.status != 0)
        #expect(relative.stderr.contains("argus models import PATH/picodet_s_320_coco.onnx --as picodet-s"), "\(relative.stderr)")
        #expect(relative.stderr.contains("relative to the working directory"))
        #expect(relative.stderr.contains("ARGUS_MODELS_DIR"))
        #expect(!relative.stderr.contains("models pull"))
        let pullable = try await ArgusProcess.run(
            ["detect", "--model", "yolox-nano", image],
            environment: ["ARGUS_MODELS_DIR": try TestEnvironment.temporaryDirectory("models").path])
        #expect(pullable.stderr.contains("argus models pull yolox-nano"), "\(pullable.stderr)")
        #expect(!pullable.stderr.contains("relative to the working directory"))
    }
}
