import Hummingbird
import NIOCore
import NIOFoundationCompat

/// A JSON response with a chosen status (Hummingbird's encoder answers 200).
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(data: try JSONCoding.encoder.encode(value))))
    }
}
