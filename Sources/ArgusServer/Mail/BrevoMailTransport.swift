import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Sends through Brevo's transactional e-mail API (`POST /v3/smtp/email`, as the
/// ObjectVision service did): the API key in `api-key`, the message as JSON.
struct BrevoMailTransport: MailTransport {
    let settings: BrevoSettings

    var name: String { "brevo \(settings.url)" }

    struct Contact: Encodable {
        let email: String
        let name: String?
    }

    struct Body: Encodable {
        let sender: Contact
        let to: [Contact]
        let subject: String
        let textContent: String
        let htmlContent: String?
        let headers: [String: String]
    }

    func send(_ message: MailMessage) async throws {
        let body = Body(
            sender: Contact(email: message.from.email, name: message.from.name),
            to: message.to.map { Contact(email: $0.email, name: $0.name) }, subject: message.subject, textContent: message.text,
            htmlContent: message.html, headers: ["Message-ID": message.messageId])
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "api-key", value: settings.apiKey ?? "")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw MailDeliveryError.transient("cannot reach the Brevo API at \(settings.url): \(error)")
        }
        let answer = String(buffer: (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer())
        let code = Int(response.status.code)
        guard !(200..<300).contains(code) else { return }
        let text = "the Brevo API answered \(code): \(answer.prefix(300))"
        // Refused requests (bad key, bad address) stay refused; throttling and outages pass.
        throw (400..<500).contains(code) && code != 429 && code != 408
            ? MailDeliveryError.permanent(text) : MailDeliveryError.transient(text)
    }
}
