import ArgusServer
import ArgusTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Malformed multipart bodies on every upload route: each is a 400 (or 413) in the JSON
/// error shape, and the server goes on serving. The first one stopped the process
/// (`Illegal instruction`) while MultipartKit 4.7.1 parsed uploads.
@Suite struct MalformedUploadTests {
    /// The upload routes and the name of their file field.
    static let routes = [("/api/v1/detect", "image"), ("/api/v1/circles", "image"), ("/api/v1/images", "file")]

    struct Case {
        let name: String
        let contentType: String
        let body: ByteBuffer
        let status: HTTPResponse.Status
        let code: String
    }

    static func cases(field: String, jpeg: [UInt8]) -> [Case] {
        let type = "multipart/form-data; boundary=XX"
        func bytes(_ parts: [UInt8]...) -> ByteBuffer { ByteBuffer(bytes: parts.joined()) }
        let fileHead = Array("--XX\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"a.jpg\"\r\n\r\n".utf8)
        var manyParts = ByteBuffer()
        for _ in 0..<100_000 { manyParts.writeString("--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n") }
        manyParts.writeString("--XX--\r\n")
        let longBoundary = String(repeating: "b", count: 200)
        return [
            Case(
                name: "the 40-byte crash", contentType: type,
                body: bytes(Array("--XX\r\n".utf8), [0xC2, 0x9B, 0xF1], Array("\r\n\r\nab\r\n--XX--\r\n".utf8)),
                status: .badRequest, code: "invalid_multipart"),
            Case(
                name: "every byte value in a part header", contentType: type,
                body: bytes(Array("--XX\r\n".utf8), Array(0...255), Array(": x\r\n\r\nab\r\n--XX--\r\n".utf8)),
                status: .badRequest, code: "invalid_multipart"),
            Case(
                name: "a part header of 1 MB", contentType: type,
                body: bytes(
                    Array("--XX\r\nX-Big: ".utf8), [UInt8](repeating: 0x61, count: 1 << 20), Array("\r\n\r\n--XX--".utf8)),
                status: .badRequest, code: "invalid_multipart"),
            Case(name: "100,000 empty parts", contentType: type, body: manyParts, status: .badRequest, code: "invalid_multipart"),
            Case(
                name: "a boundary of 200 characters", contentType: "multipart/form-data; boundary=\(longBoundary)",
                body: bytes(
                    Array("--\(longBoundary)\r\n".utf8), Array(fileHead.dropFirst(6)), jpeg, Array("\r\n--\(longBoundary)--".utf8)
                ),
                status: .badRequest, code: "invalid_multipart"),
            Case(
                name: "no closing boundary", contentType: type, body: bytes(fileHead, jpeg, Array("\r\n".utf8)),
                status: .badRequest, code: "invalid_multipart"),
            Case(
                name: "ends in the middle of a part", contentType: type,
                body: bytes(fileHead, Array(jpeg.prefix(jpeg.count / 2))),
                status: .badRequest, code: "invalid_multipart"),
            Case(
                name: "no boundary parameter", contentType: "multipart/form-data",
                body: bytes(fileHead, jpeg, Array("\r\n--XX--".utf8)), status: .badRequest, code: "invalid_multipart"),
            Case(name: "an empty body", contentType: type, body: ByteBuffer(), status: .badRequest, code: "empty_body"),
            Case(
                name: "a text field over 4 KiB", contentType: type,
                body: bytes(
                    Array("--XX\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n".utf8),
                    [UInt8](repeating: 0x61, count: 5000),
                    Array("\r\n".utf8), fileHead, jpeg, Array("\r\n--XX--".utf8)),
                status: .badRequest, code: "field_too_large"),
        ]
    }

    @Test func everyMalformedBodyIsAClientErrorAndTheServerKeepsServing() async throws {
        let jpeg = try TestEnvironment.sampleBytes("darknet_dog.jpg")
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            for (route, field) in Self.routes {
                for test in Self.cases(field: field, jpeg: jpeg) {
                    var headers = user.bearer
                    headers[.contentType] = test.contentType
                    let response = try await client.execute(uri: route, method: .post, headers: headers, body: test.body)
                    let answer = APIClient.Response(status: response.status, headers: response.headers, body: response.body)
                    #expect(answer.status == test.status, "\(route), \(test.name): \(String(buffer: answer.body))")
                    #expect(answer.errorCode == test.code, "\(route), \(test.name)")
                    let error = answer.json["error"] as? [String: Any]
                    #expect((error?["message"] as? String)?.isEmpty == false, "\(route), \(test.name)")
                    #expect(error?["request_id"] as? String == answer.header("X-Request-ID"), "\(route), \(test.name)")
                }
                // Still serving: a well-formed upload on the same route succeeds.
                let good = try await api.multipart(route, .file(jpeg, name: field), as: user)
                #expect([.ok, .created].contains(good.status), "\(route): \(String(buffer: good.body))")
            }
        }
    }
}
