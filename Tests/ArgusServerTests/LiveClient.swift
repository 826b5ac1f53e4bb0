import ArgusTestSupport
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization
import Testing

/// A live session (`GET /api/v1/live`) driven by a test over a real WebSocket: `drive`
/// sends while every text message the server sends is collected with its arrival time.
struct LiveClient: Sendable {
    let port: Int

    /// What the server has said so far.
    final class Received: Sendable {
        private let messages = Mutex<[(text: String, at: ContinuousClock.Instant)]>([])

        func append(_ text: String) { messages.withLock { $0.append((text, .now)) } }

        /// Every message as JSON, with when it came.
        var all: [(json: [String: Any], at: ContinuousClock.Instant)] {
            messages.withLock { $0 }.compactMap { message in
                (try? JSONSerialization.jsonObject(with: Data(message.text.utf8)) as? [String: Any]).map { ($0, message.at) }
            }
        }

        func of(type: String) -> [[String: Any]] { all.map(\.json).filter { $0["type"] as? String == type } }

        /// Waits (polling) until a message satisfies `condition`; fails the test after `seconds`.
        /// Each message is parsed once per wait: sixteen sessions polling must not load the
        /// machine the server runs on.
        @discardableResult
        func wait(
            _ seconds: Double = 60, for what: String, until condition: ([String: Any]) -> Bool
        ) async throws -> [String: Any] {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            var seen = 0
            while ContinuousClock.now < deadline {
                let new = messages.withLock { Array($0[seen...].map(\.text)) }
                seen += new.count
                for text in new {
                    if let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], condition(json) {
                        return json
                    }
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("no \(what) after \(seconds) s; got \(all.map(\.json).suffix(3))")
            throw LiveClientError.timeout(what)
        }

        /// Waits for the answer to frame `number`.
        @discardableResult
        func result(_ number: Int, seconds: Double = 60) async throws -> [String: Any] {
            try await wait(seconds, for: "result for frame \(number)") {
                $0["type"] as? String == "result" && $0["frame"] as? Int == number
            }
        }
    }

    enum LiveClientError: Error {
        case timeout(String)
    }

    /// Connects (with `query`, e.g. `?token=…`, and `headers`), runs `drive`, and returns
    /// what was received with the server's close frame. The client closes normally when
    /// `drive` returns; when the server closes first, `drive` is cancelled.
    func session(
        query: String = "", headers: HTTPFields = [:],
        _ drive: @escaping @Sendable (WebSocketOutboundWriter, Received) async throws -> Void
    ) async throws -> (received: Received, close: WebSocketCloseFrame?) {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 8 << 20)
        configuration.additionalHeaders = headers
        let received = Received()
        let close = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/api/v1/live\(query)", configuration: configuration, logger: Logger(label: "live")
        ) { inbound, outbound, _ in
            // true: the server closed (the reader ended first); false: `drive` is done.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 8 << 20) {
                        if case .text(let text) = message { received.append(text) }
                    }
                    return true
                }
                group.addTask {
                    try await drive(outbound, received)
                    return false
                }
                if try await group.next() == true {
                    group.cancelAll()
                    _ = try? await group.next()
                } else {
                    try? await outbound.close(.normalClosure, reason: nil)
                    _ = try await group.next()
                }
            }
        }
        return (received, close)
    }

    /// Sends `frames` one `interval` apart (on a schedule, so sending never drifts), noting
    /// when each was sent; returns the send times by frame number (from `first`).
    static func send(
        _ frame: ByteBuffer, count: Int, interval: Duration, first: Int = 1, on outbound: WebSocketOutboundWriter
    ) async throws -> [Int: ContinuousClock.Instant] {
        var sent: [Int: ContinuousClock.Instant] = [:]
        let start = ContinuousClock.now
        for index in 0..<count {
            try await Task.sleep(until: start + interval * index)
            sent[first + index] = .now
            try await outbound.write(.binary(frame))
        }
        return sent
    }
}
