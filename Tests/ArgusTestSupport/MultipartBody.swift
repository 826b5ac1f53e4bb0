import NIOCore

/// Builds multipart/form-data bodies byte for byte (never through String, which would corrupt binary files).
public struct MultipartBody: Sendable {
    public let boundary = "argus-test-boundary-7d1f0c"
    public private(set) var buffer = ByteBuffer()

    public init() {}

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public mutating func addFile(name: String, filename: String, contentType: String = "application/octet-stream", bytes: [UInt8])
    {
        buffer.writeString("--\(boundary)\r\n")
        buffer.writeString("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        buffer.writeString("Content-Type: \(contentType)\r\n\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n")
    }

    public mutating func addField(name: String, value: String) {
        buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
    }

    public func finished() -> ByteBuffer {
        var copy = buffer
        copy.writeString("--\(boundary)--\r\n")
        return copy
    }

    public static func file(_ bytes: [UInt8], name: String = "image", filename: String = "upload.jpg") -> MultipartBody {
        var body = MultipartBody()
        body.addFile(name: name, filename: filename, bytes: bytes)
        return body
    }
}
