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
}
