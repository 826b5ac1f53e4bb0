import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A raw TCP exchange, for requests an HTTP client library would not send (a body that
/// never arrives in full).
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Sends `request` as is and returns what the server answers before closing or the
    /// timeout. The blocking socket calls run on a thread of their own, never on one of
    /// Swift's cooperative threads (which the server under test needs).
    /// With `hangUp`, the connection is closed right after sending, without waiting for an answer.
    static func exchange(port: Int, request: String, timeoutSeconds: Int, hangUp: Bool = false) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        try blockingExchange(port: port, request: request, timeoutSeconds: timeoutSeconds, hangUp: hangUp)
                    })
            }
        }
    }

    private static func blockingExchange(port: Int, request: String, timeoutSeconds: Int, hangUp: Bool) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect failed") }
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw Failure(description: "send failed") }
        if hangUp { return "" }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
            if let text = String(bytes: received, encoding: .utf8), text.contains("\r\n\r\n"), text.contains("\"error\"") {
                break
            }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
