import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Rate limits, security headers and CORS over live HTTP.
@Suite struct ProtectionTests {
    func withServer(
        _ configure: (inout ServerConfiguration) -> Void,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let configuration = try await TestServer.configuration {
            $0.accounts.allowAnonymous = true
            configure(&$0)
        }
        try await TestServer.run(configuration) { client, _ in try await body(client) }
    }

    func header(_ response: TestResponse, _ name: String) -> String? { response.headers[HTTPField.Name(name)!] }

    @Test func inferenceRoutesAreLimitedPerClientWithHeaders() async throws {
        let image = MultipartBody.file(try TestEnvironment.sampleBytes("darknet_dog.jpg"))
        try await withServer({ $0.rateLimits.inference = RateLimit(capacity: 2, period: .seconds(60)) }) { client in
            var remaining: [String?] = []
            for _ in 0..<2 {
                let response = try await client.execute(
                    uri: "/api/v1/detect", method: .post, headers: [.contentType: image.contentType], body: image.finished())
                #expect(response.status == .ok)
                #expect(header(response, "X-RateLimit-Limit") == "2")
                remaining.append(header(response, "X-RateLimit-Remaining"))
            }
            #expect(remaining == ["1", "0"])
            let refused = try await client.execute(
                uri: "/api/v1/detect", method: .post, headers: [.contentType: image.contentType], body: image.finished())
            #expect(refused.status == .tooManyRequests)
            #expect(String(buffer: refused.body).contains("\"rate_limited\""))
            let retryAfter = try #require(header(refused, "Retry-After").flatMap(Int.init))
            #expect((1...30).contains(retryAfter))
            #expect(header(refused, "X-RateLimit-Remaining") == "0")
            #expect(header(refused, "X-RateLimit-Reset").flatMap(Int.init) ?? 0 > 0)
            // Health and metrics are never limited.
            for _ in 0..<5 { #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok) }
        }
    }

    @Test func bucketsRefillOverTime() {
        let limiter = RateLimiter()
        let limit = RateLimit(capacity: 2, period: .seconds(2))
        let start = ContinuousClock.now
        #expect(limiter.take(limit, key: "a", now: start).allowed)
        #expect(limiter.take(limit, key: "a", now: start).allowed)
        let refused = limiter.take(limit, key: "a", now: start)
        #expect(!refused.allowed && refused.retryAfterSeconds == 1)
        #expect(limiter.take(limit, key: "b", now: start).allowed)
        #expect(limiter.take(limit, key: "a", now: start + .seconds(1)).allowed)
        #expect(!limiter.take(limit, key: "a", now: start + .seconds(1)).allowed)
    }

    @Test func rateLimitSettingsParse() throws {
        #expect(RateLimit.parse("10/minute") == .some(RateLimit(capacity: 10, period: .seconds(60))))
        #expect(RateLimit.parse("off") == .some(nil))
        #expect(RateLimit.parse("ten/minute") == nil)
        let configuration = try ServerConfiguration(environment: [
            "ARGUS_RATE_LIMIT_API": "off", "ARGUS_RATE_LIMIT_INFERENCE": "5/s",
        ])
        #expect(configuration.rateLimits.api == nil)
        #expect(configuration.rateLimits.inference == RateLimit(capacity: 5, period: .seconds(1)))
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["ARGUS_RATE_LIMIT_API": "5/fortnight"]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["ARGUS_CORS_ORIGINS": "example.com"]) }
    }

    @Test func securityHeadersOnSuccessesAndErrors() async throws {
        try await withServer({ _ in }) { client in
            for uri in ["/health/live", "/no/such/route"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(header(response, "X-Content-Type-Options") == "nosniff")
                #expect(header(response, "X-Frame-Options") == "DENY")
                #expect(header(response, "Content-Security-Policy")?.contains("default-src 'none'") == true)
            }
        }
    }

    @Test func corsOnlyForConfiguredOrigins() async throws {
        try await withServer({ $0.corsOrigins = ["https://app.example.com"] }) { client in
            let allowed = try await client.execute(
                uri: "/health/live", method: .get, headers: [.origin: "https://app.example.com"])
            #expect(header(allowed, "Access-Control-Allow-Origin") == "https://app.example.com")
            #expect(header(allowed, "Access-Control-Expose-Headers")?.contains("X-Request-ID") == true)
            let error = try await client.execute(
                uri: "/no/such/route", method: .get, headers: [.origin: "https://app.example.com"])
            #expect(error.status == .notFound && header(error, "Access-Control-Allow-Origin") == "https://app.example.com")
            let other = try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://evil.example"])
            #expect(header(other, "Access-Control-Allow-Origin") == nil)
            let preflight = try await client.execute(
                uri: "/api/v1/detect", method: .options,
                headers: [.origin: "https://app.example.com", .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .noContent)
            #expect(header(preflight, "Access-Control-Allow-Methods")?.contains("POST") == true)
        }
        try await withServer({ _ in }) { client in
            let none = try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://app.example.com"])
            #expect(header(none, "Access-Control-Allow-Origin") == nil)
        }
    }
}
