import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A client that speaks raw TCP as an attacker would: bytes trickled one at a time, or a
/// request never finished. Every call blocks, so it runs on a thread of its own, never on
/// one of Swift's cooperative threads.
enum SlowSocket {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Opens a connection, sends `prefix` at once, then `trickle` one byte per `interval`,
    /// and returns the seconds after which the server closed the connection, or nil if
    /// it was still open after `giveUpAfter` seconds.
    static func secondsUntilClosed(
        port: Int, prefix: String = "", trickle: String, interval: Double, giveUpAfter: Double
    ) async throws -> Double? {
        try await offThread {
            let fd = try connect(port: port)
            defer { close(fd) }
            let start = Date()
            if !prefix.isEmpty, !send(fd, Array(prefix.utf8)) { return 0 }
            var pending = Array(trickle.utf8)[...]
            while Date().timeIntervalSince(start) < giveUpAfter {
                if isClosed(fd) { return Date().timeIntervalSince(start) }
                if let byte = pending.popFirst(), !send(fd, [byte]) { return Date().timeIntervalSince(start) }
                usleep(UInt32(interval * 1_000_000))
            }
            return nil
        }
    }

    /// Sends `request` and returns everything the server sent until it closed the
    /// connection (or `timeoutSeconds` passed).
    static func exchange(port: Int, request: String, timeoutSeconds: Int) async throws -> String {
        try await offThread {
            let fd = try connect(port: port)
            defer { close(fd) }
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = send(fd, Array(request.utf8))
            var received = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { break }
                received += buffer[0..<count]
            }
            return String(decoding: received, as: UTF8.self)
        }
    }

    private static func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect failed")
        }
        return fd
    }

    /// False once the peer has closed or reset the connection.
    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count
    }

    /// The peer closed: a read that does not wait returns end of file or a reset. What
    /// the server sent before (an answer) is read and dropped.
    private static func isClosed(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { continue }
            return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }
}
