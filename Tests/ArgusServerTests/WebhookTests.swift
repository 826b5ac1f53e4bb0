import ArgusTestSupport
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import ArgusServer

/// Webhooks reach a real local receiver, signed, retried when it answers 500; a
/// webhook to 127.0.0.1 is refused unless the operator allows private addresses.
@Suite struct WebhookTests {
    /// What the receiver got.
    final class Received: Sendable {
        let requests = Mutex<[(headers: HTTPFields, body: String)]>([])
    }

    @Test func loopbackWebhooksAreRefusedByDefault() async throws {
        try await TestServer.run { client, _ in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            for url in [
                "http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.1.2.3/", "http://[::1]:80/", "ftp://example.com/",
            ] {
                let refused = try await api.request(
                    .post, "/api/v1/webhooks", json: ["url": url, "events": ["job.completed"]], headers: user.bearer)
                #expect(refused.status == .badRequest, "\(url)")
                #expect(refused.errorCode == "webhook_url_refused", "\(url): \(String(buffer: refused.body))")
            }
            #expect(WebhookAddressGuard.isInternal("169.254.169.254") && WebhookAddressGuard.isInternal("::ffff:192.168.1.1"))
            #expect(!WebhookAddressGuard.isInternal("93.184.216.34") && !WebhookAddressGuard.isInternal("2606:4700::1111"))
        }
    }

    @Test func deliveriesAreSignedAndRetriedUntilTheReceiverAccepts() async throws {
        let received = Received()
        let receiver = Router()
        receiver.post("/hook") { request, _ -> Response in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1 << 20))
            let count = received.requests.withLock { requests in
                requests.append((request.headers, body))
                return requests.count
            }
            return Response(status: count == 1 ? .internalServerError : .ok)
        }
        let app = Application(router: receiver, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { receiverClient in
            let port = try #require(receiverClient.port)
            var configuration = try await JobQueueTests.configuration()
            configuration.webhookAllowPrivate = true
            try await TestServer.run(configuration) { client, dependencies in
                let api = APIClient(client: client)
                let admin = try await api.admin(dependencies)
                let created = try await api.request(
                    .post, "/api/v1/webhooks", json: ["url": "http://127.0.0.1:\(port)/hook", "events": ["job.completed"]],
                    headers: admin.bearer)
                #expect(created.status == .created, "\(String(buffer: created.body))")
                let secret = try #require(created.json["secret"] as? String)
                let hookId = try #require(created.json["id"] as? String)
                let job = try await api.request(.post, "/api/v1/admin/jobs", json: ["kind": "noop"], headers: admin.bearer)
                let jobId = try #require(job.json["id"] as? String)
                try await JobQueueTests.withWorkers(dependencies) {
                    try await JobQueueTests.waitUntil(30) { received.requests.withLock { $0.count } >= 2 }
                    try await JobQueueTests.waitUntil(10) {
                        let page = try await api.get("/api/v1/webhooks/\(hookId)/deliveries", as: admin)
                        return (page.json["items"] as? [[String: Any]])?.count == 2
                    }
                }
                let requests = received.requests.withLock { $0 }
                #expect(requests.count == 2, "retried once after the 500, then accepted")
                for (headers, body) in requests {
                    #expect(headers[HTTPField.Name("X-Argus-Event")!] == "job.completed")
                    let signature = try #require(headers[HTTPField.Name("X-Argus-Signature")!])
                    let parts = Dictionary(
                        uniqueKeysWithValues: signature.split(separator: ",").map { part in
                            let pair = part.split(separator: "=", maxSplits: 1)
                            return (String(pair[0]), String(pair[1]))
                        })
                    // The receiver's own check: HMAC-SHA256 of "t.body" with the secret.
                    let message = Data((try #require(parts["t"]) + "." + body).utf8)
                    let expected = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
                        .map { String(format: "%02x", $0) }.joined()
                    #expect(parts["v1"] == expected)
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                    #expect((json["data"] as? [String: Any])?["job_id"] as? String == jobId)
                }
                let deliveries = try await api.get("/api/v1/webhooks/\(hookId)/deliveries", as: admin)
                let codes = (deliveries.json["items"] as? [[String: Any]])?.compactMap { $0["status_code"] as? Int }
                #expect(codes == [200, 500], "newest first")
                #expect(try await api.request(.delete, "/api/v1/webhooks/\(hookId)", headers: admin.bearer).status == .noContent)
                let list = try await api.get("/api/v1/webhooks", as: admin)
                #expect((list.json["items"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
