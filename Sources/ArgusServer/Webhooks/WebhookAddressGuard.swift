import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Refuses webhook URLs that lead inside the server's own network (loopback, private,
/// link-local, unique-local, unspecified, multicast): checked when a webhook is made and
/// again before every delivery, so a name that later resolves elsewhere is caught at the
/// next delivery (the connection resolves the name once more, so a resolver that answers
/// differently within the same second is not). Deliveries never follow redirects.
/// `ARGUS_WEBHOOK_ALLOW_PRIVATE=true` lets an operator allow them.
struct WebhookAddressGuard: Sendable {
    let allowPrivate: Bool

    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// - Throws: `Refusal` naming what is wrong with the URL or where it leads.
    func check(_ text: String) async throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { throw Refusal(description: "the URL must be http:// or https:// with a host") }
        guard !allowPrivate else { return }
        let addresses = try await Self.resolve(host)
        guard !addresses.isEmpty else { throw Refusal(description: "\(host) does not resolve") }
        if let blocked = addresses.first(where: Self.isInternal) {
            throw Refusal(
                description:
                    "\(host) resolves to \(blocked), a private, loopback or link-local address; an operator can allow these with ARGUS_WEBHOOK_ALLOW_PRIVATE=true"
            )
        }
    }

    /// Every address of `host` (getaddrinfo, on a thread of NIO's pool: it blocks).
    static func resolve(_ host: String) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(
                    entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
                    == 0
                {
                    addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
                cursor = entry.pointee.ai_next
            }
            return addresses
        }
    }

    /// Loopback, private, link-local, unique-local, unspecified, carrier-grade NAT or multicast.
    static func isInternal(_ address: String) -> Bool {
        let lower = address.lowercased()
        if lower.contains(":") {
            if lower == "::1" || lower == "::" { return true }
            if lower.hasPrefix("fe8") || lower.hasPrefix("fe9") || lower.hasPrefix("fea") || lower.hasPrefix("feb") {
                return true
            }
            if lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("ff") { return true }
            if lower.hasPrefix("::ffff:") { return isInternal(String(lower.dropFirst(7))) }
            return false
        }
        let parts = lower.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return true }
        switch (parts[0], parts[1]) {
        case (0, _), (10, _), (127, _): return true
        case (169, 254): return true
        case (172, 16...31): return true
        case (192, 168): return true
        case (100, 64...127): return true
        case (224...255, _): return true
        default: return false
        }
    }
}
