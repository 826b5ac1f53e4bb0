import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /api/v1/remove-background` answered at once and, for a large image, as an
/// upload task whose signed link gives the result.
@Suite struct BackgroundRemovalAPITests {
    static let dog: [UInt8] = {
        do {
            return Array(
                try Data(
                    contentsOf: TestEnvironment.shared.appendingPathComponent("datasets/davis2016-sub/images/dog_00000.jpg")))
        } catch {
            fatalError("cannot read the DAVIS frame: \(error)")
        }
    }()

    /// The PNG colour type of IHDR: 6 is RGBA, 0 grey.
    static func pngColourType(_ bytes: [UInt8]) -> UInt8? { bytes.count > 25 ? bytes[25] : nil }

    @Test func theResultIsAnsweredAtOnceWithItsOptions() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let cutout = try await api.multipart("/api/v1/remove-background", .file(Self.dog), as: user)
            #expect(cutout.status == .ok, "\(String(buffer: cutout.body))")
            #expect(cutout.header("Content-Type") == "image/png" && Self.pngColourType(cutout.bytes) == 6)
            let share = Double(cutout.header("X-Foreground-Share") ?? "") ?? 0
            #expect(share > 0.03 && share < 0.5, "foreground \(share)")
            let decoded = try Image.decode(cutout.bytes)
            #expect((decoded.width, decoded.height) == (854, 480))

            let mask = try await api.multipart("/api/v1/remove-background?mask_only=true", .file(Self.dog), as: user)
            #expect(mask.status == .ok && Self.pngColourType(mask.bytes) == 0)
            let trimmed = try await api.multipart(
                "/api/v1/remove-background?trim=true&padding=4&bg_color=%23ffffff&format=jpeg", .file(Self.dog), as: user)
            #expect(trimmed.status == .ok && trimmed.header("Content-Type") == "image/jpeg")
            let small = try Image.decode(trimmed.bytes)
            #expect(small.width < 854 && small.height < 480)
            let webp = try await api.multipart("/api/v1/remove-background?format=webp", .file(Self.dog), as: user)
            #expect(webp.status == .ok && Array(webp.bytes[8..<12]) == Array("WEBP".utf8))

            for query in ["bg_color=white", "format=jpeg", "padding=-1", "kernel=x", "unknown=1", "bg_image_id=nope"] {
                let bad = try await api.multipart("/api/v1/remove-background?\(query)", .file(Self.dog), as: user)
                #expect(bad.status == .badRequest, "\(query): \(String(buffer: bad.body))")
            }
            let missing = try await api.multipart("/api/v1/remove-background?model=u2net", .file(Self.dog), as: user)
            #expect(missing.status == .serviceUnavailable && missing.errorCode == "model_unavailable")
            let tiny = try Image(bgr: [UInt8](repeating: 128, count: 40 * 40 * 3), width: 40, height: 40).encoded(as: .png)
            let tooSmall = try await api.multipart("/api/v1/remove-background", .file(tiny), as: user)
            #expect(tooSmall.status == .unprocessableContent && tooSmall.errorCode == "image_too_small")
            #expect(try await api.multipart("/api/v1/remove-background", .file(Self.dog), as: nil).status == .unauthorized)
        }
    }

    @Test func aLargeImageBecomesATaskWithASignedResult() async throws {
        let configuration = try await JobQueueTests.configuration()
        var small = configuration
        small.background.syncMaxPixels = 100_000
        try await TestServer.run(small) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let accepted = try await api.multipart(
                "/api/v1/remove-background?mask_only=true", .file(Self.dog), as: user)
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let taskId = try #require(accepted.json["task_id"] as? String)
            try await JobQueueTests.withWorkers(dependencies) {
                try await JobQueueTests.waitUntil {
                    try await api.get("/api/v1/tasks/\(taskId)", as: user).json["status"] as? String == "done"
                }
            }
            let task = try await api.get("/api/v1/tasks/\(taskId)", as: user)
            let tasks = try #require((task.json["result"] as? [String: Any])?["tasks"] as? [String: [String: Any]])
            #expect((tasks["remove-background"]?["foreground_share"] as? Double ?? 0) > 0.03)
            let link = try #require((task.json["links"] as? [String: String])?["remove_background_url"])
            let result = try await api.get(link, as: nil)
            #expect(result.status == .ok && Self.pngColourType(result.bytes) == 0)
            // Rendered again when the cache has lost it.
            try? FileManager.default.removeItem(atPath: dependencies.configuration.cachePath)
            let again = try await api.get(link, as: nil)
            #expect(again.status == .ok && again.bytes == result.bytes)
            let history = try await api.get("/api/v1/detect/history?task=remove-background", as: user)
            #expect(history.status == .ok, "\(String(buffer: history.body))")
        }
    }
}
