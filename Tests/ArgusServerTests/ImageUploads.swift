import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

extension APIClient {
    /// `POST /api/v1/images` with one file (field `file`) and query parameters.
    func upload(
        _ bytes: [UInt8], filename: String = "photo.jpg", query: String = "", as user: User, fields: [(String, String)] = []
    ) async throws -> Response {
        var body = MultipartBody()
        body.addFile(name: "file", filename: filename, bytes: bytes)
        for (name, value) in fields { body.addField(name: name, value: value) }
        return try await multipart("/api/v1/images" + (query.isEmpty ? "" : "?" + query), body, as: user)
    }

    func multipart(_ uri: String, _ body: MultipartBody, as user: User?) async throws -> Response {
        var headers: HTTPFields = user?.bearer ?? [:]
        headers[.contentType] = body.contentType
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: body.finished())
        return Response(status: response.status, headers: response.headers, body: response.body)
    }

    func get(_ uri: String, as user: User?) async throws -> Response {
        try await request(.get, uri, headers: user?.bearer ?? [:])
    }
}

extension APIClient.Response {
    var jsonArray: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [[String: Any]]) ?? []
    }
    var bytes: [UInt8] { Array(body.readableBytesView) }
    /// The `circles` of a `POST /api/v1/circles` answer as (centre x, centre y, radius).
    var circles: [(x: Double, y: Double, r: Double)] {
        (json["circles"] as? [[String: Any]] ?? []).compactMap { circle in
            guard let centre = circle["centroid"] as? [Double], let radius = circle["radius"] as? Double else { return nil }
            return (centre[0], centre[1], radius)
        }
    }
}

/// Encoded test pictures.
enum TestPictures {
    static func png(_ scene: CircleScene) throws -> [UInt8] {
        try Image(bgr: scene.pixels, width: scene.width, height: scene.height).encoded(as: .png)
    }

    /// A plain picture that differs by `seed`, as JPEG (distinct bytes for distinct seeds).
    static func jpeg(seed: UInt64, width: Int = 96, height: Int = 64) throws -> [UInt8] {
        let scene = CircleScene.make(width: width, height: height, noise: 40, seed: seed, withDiscs: false)
        return try Image(bgr: scene.pixels, width: width, height: height).encoded(as: .jpeg(quality: 90))
    }

    /// Every file under a storage folder, staged ones in `tmp/` included (a probe file
    /// there lives only for the instant of a health check).
    static func storedFiles(_ root: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files
    }
}
