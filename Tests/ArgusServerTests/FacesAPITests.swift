import ArgusCore
import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /api/v1/faces`, `POST /api/v1/faces/redact` and DeepStack's `/v1/vision/face`
/// on the 1927 Solvay photo (29 faces).
@Suite struct FacesAPITests {
    /// The Solvay photo at a third of its size (1000×723, faces about 25 pixels wide): the
    /// full size costs about 2 s of CPU a run, and these tests share 2 cores with the suite.
    static let solvay: [UInt8] = {
        do {
            let photo = try Image.decode(try TestEnvironment.sampleBytes("scrfd_solvay_conference_1927.jpg"))
            return try photo.resized(width: photo.width / 3, height: photo.height / 3).encoded(as: .jpeg(quality: 95))
        } catch {
            fatalError("cannot prepare the Solvay photo: \(error)")
        }
    }()
    /// Its faces, found directly once.
    static let solvayFaces: [Face] = {
        do {
            return try TestEnvironment.faces.detector().detect(try Image.decode(solvay)).faces
        } catch {
            fatalError("cannot find the Solvay photo's faces: \(error)")
        }
    }()

    /// A JPEG with an EXIF segment (a minimal TIFF header) right after its SOI marker.
    static func withEXIF(_ jpeg: [UInt8]) -> [UInt8] {
        let tiff: [UInt8] = Array("Exif".utf8) + [0, 0] + Array("II".utf8) + [42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let length = tiff.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + tiff + jpeg.dropFirst(2)
    }

    @Test func facesAreFoundWithTheirLandmarks() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let answer = try await api.multipart("/api/v1/faces", .file(Self.solvay), as: user)
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            let faces = try #require(answer.json["faces"] as? [[String: Any]])
            #expect(faces.count == 29)
            #expect(faces.allSatisfy { ($0["landmarks"] as? [[String: Double]])?.count == 5 })
            let direct = Self.solvayFaces
            let boxes = faces.compactMap { $0["bbox"] as? [String: Double] }.map { box in
                ["x1", "y1", "x2", "y2"].map { Float(box[$0] ?? -1) }
            }
            #expect(boxes == direct.map { [$0.box.x1, $0.box.y1, $0.box.x2, $0.box.y2] })

            let strict = try await api.multipart("/api/v1/faces?conf=0.99", .file(Self.solvay), as: user)
            #expect((strict.json["faces"] as? [Any])?.isEmpty == true)
            let bad = try await api.multipart("/api/v1/faces?conf=2", .file(Self.solvay), as: user)
            #expect(bad.status == .badRequest && bad.errorCode == "invalid_parameter")
            let anonymous = try await api.multipart("/api/v1/faces", .file(Self.solvay), as: nil)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test(arguments: RedactionMethod.allCases)
    func redactionHidesEveryFaceAndDropsTheMetadata(_ method: RedactionMethod) async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let upload = Self.withEXIF(Self.solvay)
            let answer = try await api.multipart(
                "/api/v1/faces/redact?method=\(method.rawValue)&margin=0.25", .file(upload), as: user)
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            #expect(answer.header("Content-Type") == "image/jpeg")
            #expect(answer.header("X-Face-Count") == "29")
            let bytes = answer.bytes
            #expect(!bytes.isEmpty && !Self.contains(bytes, Array("Exif".utf8) + [0, 0]), "EXIF survived")
            let hidden = try Image.decode(bytes)
            // One run at a low threshold: nothing at the default one, and no trace where a
            // face was. Pixelated faces of 25 pixels keep a face-like pattern of six blocks,
            // which CenterFace scores up to about 0.36 there (0.3 at full size).
            let low: Float = method == .pixelate ? 0.45 : 0.3
            let again = try TestEnvironment.faces.detector().detect(hidden, options: FaceOptions(confidenceThreshold: low)).faces
            #expect(!again.contains { $0.confidence > FaceOptions.defaultConfidence }, "faces left after \(method)")
            let traces = again.filter { trace in Self.solvayFaces.contains { $0.box.iou(trace.box) > 0 } }
            #expect(traces.isEmpty, "\(traces.count) traces of faces after \(method)")
        }
    }

    @Test func deepStackFaceDetection() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let key = try await api.apiKey(for: try await api.signUp())
            let answer = try await api.deepStack("/v1/vision/face", image: Self.solvay, headers: [.apiKey: key])
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            #expect(answer.json["success"] as? Bool == true)
            let predictions = try #require(answer.json["predictions"] as? [[String: Any]])
            #expect(predictions.count == 29)
            #expect(predictions.allSatisfy { $0["x_min"] is Int && $0["y_max"] is Int && $0["confidence"] is Double })
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in
            needle.indices.allSatisfy { haystack[start + $0] == needle[$0] }
        }
    }
}
