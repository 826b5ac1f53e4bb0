import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Raw bytes with their type; private to the caller's browser cache.
enum FileResponse {
    static func make(_ data: Data, contentType: String, cacheSeconds: Int = 300) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: contentType, .cacheControl: "private, max-age=\(cacheSeconds)", .contentLength: String(data.count),
            ],
            body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// A file on disk, streamed in chunks, honouring a single `Range` (206 with its bytes,
    /// 416 past the end), so a `<video>` element can seek. A missing file answers 404.
    static func stream(
        path: String, contentType: String, request: Request, context: ArgusRequestContext, cacheSeconds: Int = 300,
        missing: String = "the file is gone"
    ) async throws -> Response {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
            throw APIError.notFound(missing)
        }
        var headers: HTTPFields = [
            .contentType: contentType, .cacheControl: "private, max-age=\(cacheSeconds)", .acceptRanges: "bytes",
        ]
        let io = FileIO()
        switch ByteRange.resolve(request.headers[.range], size: size) {
        case .whole:
            headers[.contentLength] = String(size)
            let body = size > 0 ? try await io.loadFile(path: path, context: context) : ResponseBody()
            return Response(status: .ok, headers: headers, body: body)
        case .partial(let range):
            headers[.contentLength] = String(range.count)
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            return Response(
                status: .partialContent, headers: headers, body: try await io.loadFile(path: path, range: range, context: context)
            )
        case .unsatisfiable:
            throw APIError(
                .rangeNotSatisfiable, code: "range_not_satisfiable",
                message: "the range lies outside the file's \(size) bytes", headers: [.contentRange: "bytes */\(size)"])
        }
    }
}
