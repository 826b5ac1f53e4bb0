import ArgusTestSupport
import Foundation
import HTTPTypes
import HummingbirdWSClient
import NIOCore
import Synchronization
import Testing

@testable import ArgusServer

/// `GET /api/v1/live`: real JPEG frames (from vtest.avi) over a real WebSocket to the
/// server, answered by the detector and a tracker per session.
/// One test at a time: each keeps the detector busy for seconds, and the rest of the
/// suite runs beside it.
@Suite(.serialized) struct LiveTests {
    /// The first frame of vtest.avi (people on a plaza), as a JPEG.
    static func plazaJPEG() async throws -> ByteBuffer {
        let folder = try TestEnvironment.temporaryDirectory("live")
        let path = folder.appendingPathComponent("plaza.jpg").path
        try await VideoFixtures.ffmpeg(["-i", VideoFixtures.vtest.path, "-frames:v", "1", "-q:v", "3", path])
        return ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    /// 300 frames of a still scene at 30 frames a second, then a burst: every answer in
    /// order, each frame answered or counted as dropped (never queued), the same track ids
    /// on every answer.
    @Test func aClientAt30FramesASecondGetsOrderedAnswersWithStableTrackIds() async throws {
        let jpeg = try await Self.plazaJPEG()
        try await TestServer.run(try await TestServer.configuration(), transport: .live) { client, _ in
            let user = try await APIClient(client: client).signUp()
            let live = LiveClient(port: try #require(client.port))
            let sentTimes = Mutex<[Int: ContinuousClock.Instant]>([:])
            let (received, close) = try await live.session(query: "?token=\(user.accessToken)") { outbound, received in
                let ready = try await received.wait(for: "ready") { $0["type"] as? String == "ready" }
                #expect(ready["video_id"] is NSNull || ready["video_id"] == nil)
                let sent = try await LiveClient.send(jpeg, count: 300, interval: .milliseconds(33), on: outbound)
                sentTimes.withLock { $0 = sent }
                try await received.result(300)
                // A burst: 40 frames back to back, faster than any detector.
                _ = try await LiveClient.send(jpeg, count: 40, interval: .zero, first: 301, on: outbound)
                try await received.result(340)
            }
            #expect(close == nil || close?.closeCode == .normalClosure, "\(String(describing: close))")

            let answers = received.all.filter { $0.json["type"] as? String == "result" }
            let frames = answers.compactMap { $0.json["frame"] as? Int }
            #expect(frames == frames.sorted() && Set(frames).count == frames.count, "answers out of order")
            let atThreeHundred = try #require(answers.first { $0.json["frame"] as? Int == 300 }?.json)
            let steadyDropped = try #require(atThreeHundred["dropped"] as? Int)
            #expect(frames.filter { $0 <= 300 }.count + steadyDropped == 300, "a frame neither answered nor dropped")
            let last = try #require(answers.last?.json)
            let dropped = try #require(last["dropped"] as? Int)
            #expect(frames.count + dropped == 340)
            #expect(dropped - steadyDropped > 0 && frames.filter { $0 > 300 }.count < 40, "the burst was queued")

            // A still scene keeps its ids: the same set on every answer.
            let idSets = answers.map { answer in
                Set(((answer.json["detections"] as? [[String: Any]]) ?? []).compactMap { $0["track_id"] as? Int })
            }
            let ids = try #require(idSets.first)
            #expect(ids.count >= 3, "\(ids)")
            #expect(idSets.allSatisfy { $0 == ids }, "track ids changed on a still scene")
            #expect((last["tracks"] as? [String: Int])?.values.reduce(0, +) == ids.count, "\(last)")
            #expect((last["counts"] as? [String: Int])?.values.reduce(0, +) ?? 0 >= ids.count)
            let timings = try #require(last["timings_ms"] as? [String: Double])
            #expect(Set(timings.keys) == ["queue", "decode", "inference", "track", "total"])

            // Round trips of the steady part, reported (never asserted: no timed tests).
            let sent = sentTimes.withLock { $0 }
            let roundTrips = answers.compactMap { answer -> Double? in
                guard let frame = answer.json["frame"] as? Int, frame <= 300, let start = sent[frame] else { return nil }
                return TaskRunner.milliseconds(start, answer.at)
            }
            print(
                String(
                    format: "live: 300 frames at 30 fps, %d answered, %d dropped; round trip p50 %.1f ms, p99 %.1f ms",
                    frames.filter { $0 <= 300 }.count, steadyDropped, Self.percentile(roundTrips, 0.5),
                    Self.percentile(roundTrips, 0.99)))
        }
    }

    /// Settings change from the next frame; bad ones are errors the session survives, as
    /// is a frame that is not a JPEG.
    @Test func settingsAndBadFramesAreAnsweredWithoutEndingTheSession() async throws {
        let jpeg = try await Self.plazaJPEG()
        try await TestServer.run(try await TestServer.configuration(), transport: .live) { client, _ in
            let user = try await APIClient(client: client).signUp()
            let live = LiveClient(port: try #require(client.port))
            let (received, close) = try await live.session { outbound, received in
                // The credential in the first message, with settings.
                try await outbound.write(.text(#"{"token": "\#(user.accessToken)", "conf": 0.5, "classes": ["person"]}"#))
                let ready = try await received.wait(for: "ready") { $0["type"] as? String == "ready" }
                #expect((ready["settings"] as? [String: String]) == ["conf": "0.5", "classes": "person"])
                try await outbound.write(.binary(ByteBuffer(string: "GIF89a not a jpeg")))
                let problem = try await received.wait(for: "invalid_frame") { $0["code"] as? String == "invalid_frame" }
                #expect((problem["message"] as? String)?.contains("not a JPEG") == true && problem["frame"] as? Int == 1)
                // A JPEG's header on garbage: refused when decoded, frame 2.
                try await outbound.write(
                    .binary(ByteBuffer(bytes: [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 7, count: 100))))
                try await received.wait(for: "undecodable frame") {
                    $0["code"] as? String == "invalid_frame" && $0["frame"] as? Int == 2
                }
                try await outbound.write(.binary(jpeg))
                let first = try await received.result(3)
                #expect(
                    ((first["detections"] as? [[String: Any]]) ?? []).allSatisfy { ($0["confidence"] as? Double ?? 0) >= 0.5 })

                try await outbound.write(.text(#"{"conf": 7}"#))
                let bad = try await received.wait(for: "settings error") { $0["code"] as? String == "invalid_parameter" }
                #expect((bad["message"] as? String)?.contains("conf must be") == true)
                try await outbound.write(.text("not json"))
                try await received.wait(for: "json error") { $0["code"] as? String == "invalid_json" }
                try await outbound.write(.text(#"{"record": true}"#))
                try await received.wait(for: "record refused") {
                    ($0["message"] as? String)?.hasPrefix("record is only read") == true
                }
                try await outbound.write(.text(#"{"conf": null, "classes": ["car"]}"#))
                let changed = try await received.wait(for: "settings") { $0["type"] as? String == "settings" }
                #expect((changed["settings"] as? [String: String]) == ["classes": "car"])
                try await outbound.write(.binary(jpeg))
                let cars = try await received.result(4)
                #expect((cars["detections"] as? [[String: Any]])?.allSatisfy { $0["label"] as? String == "car" } == true)
            }
            #expect(close == nil || close?.closeCode == .normalClosure)
            #expect(received.of(type: "result").count == 2)
        }
    }

    /// A bad credential, no credential, bad settings, an oversized frame, a full server
    /// and an idle session each get a close code and reason; another session goes on.
    @Test func refusalsAreCloseCodesThatLeaveOtherSessionsAlone() async throws {
        let jpeg = try await Self.plazaJPEG()
        let configuration = try await TestServer.configuration {
            $0.live.maxSessions = 2
            $0.live.maxFrameBytes = 256 << 10
        }
        try await TestServer.run(configuration, transport: .live) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let created = try await api.request(
                .post, "/api/v1/api-keys", json: ["name": "camera", "scopes": ["read", "write"]], headers: user.bearer)
            let key = try #require(created.json["key"] as? String)
            let readOnly = try #require(
                try await api.request(
                    .post, "/api/v1/api-keys", json: ["name": "viewer", "scopes": ["read"]], headers: user.bearer
                )
                .json["key"] as? String)
            let live = LiveClient(port: try #require(client.port))
            let refusals = Mutex<[String: WebSocketCloseFrame?]>([:])

            // One good session (an API key in the first message) runs through all of them.
            let (good, goodClose) = try await live.session { outbound, received in
                try await outbound.write(.text(#"{"api_key": "\#(key)"}"#))
                try await received.wait(for: "ready") { $0["type"] as? String == "ready" }
                try await outbound.write(.binary(jpeg))
                try await received.result(1)

                @Sendable func refused(
                    _ name: String, query: String = "",
                    _ drive: @escaping @Sendable (WebSocketOutboundWriter) async throws -> Void
                ) async throws {
                    do {
                        let (_, close) = try await live.session(query: query) { outbound, _ in
                            try await drive(outbound)
                            // Until the server closes (which cancels this).
                            try await Task.sleep(for: .seconds(60))
                        }
                        refusals.withLock { $0[name] = close }
                    } catch {
                        Issue.record("\(name): the session failed: \(error)")
                    }
                }
                // Every refusal here is of a first message: a refusal at the upgrade (a bad
                // ?token=) is a close the client may read before its handler runs, which
                // this client library has been seen to lose under load.
                try await refused("bad token") { try await $0.write(.text(#"{"token": "not-a-token"}"#)) }
                try await refused("frame first") { try await $0.write(.binary(jpeg)) }
                try await refused("no credential") { try await $0.write(.text(#"{"conf": 0.5}"#)) }
                try await refused("read-only key") { try await $0.write(.text(#"{"api_key": "\#(readOnly)"}"#)) }
                let token = #"{"token": "\#(user.accessToken)"}"#
                try await refused("bad settings", query: "?conf=2") { try await $0.write(.text(token)) }
                try await refused("unknown setting", query: "?colour=red") { try await $0.write(.text(token)) }
                try await refused("oversized") { outbound in
                    try await outbound.write(.text(token))
                    try await Task.sleep(for: .milliseconds(200))
                    try await outbound.write(
                        .binary(ByteBuffer(bytes: [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 1, count: 300 << 10))))
                }
                // The second place is free again: take it, and a third is refused.
                let (_, second) = try await live.session(query: "?token=\(user.accessToken)") { _, received in
                    try await received.wait(for: "ready") { $0["type"] as? String == "ready" }
                    try await refused("full") { try await $0.write(.text(token)) }
                }
                #expect(second == nil || second?.closeCode == .normalClosure)

                // The good session still answers (its own frames kept it from idling).
                try await outbound.write(.binary(jpeg))
                try await received.result(2)
            }
            #expect(goodClose == nil || goodClose?.closeCode == .normalClosure, "\(String(describing: goodClose))")
            #expect(good.of(type: "result").count == 2)

            let closes = refusals.withLock { $0 }
            func expectClose(_ name: String, _ code: UInt16, _ reasonStart: String) {
                let close = closes[name] ?? nil
                #expect(close?.closeCode == .unknown(code), "\(name): \(String(describing: close))")
                #expect(close?.reason?.hasPrefix(reasonStart) == true, "\(name): \(close?.reason ?? "no reason")")
            }
            expectClose("bad token", 4401, "invalid_credentials: ")
            expectClose("frame first", 4401, "unauthorized: authenticate first")
            expectClose("no credential", 4401, "unauthorized: ")
            expectClose("read-only key", 4403, "insufficient_scope: ")
            expectClose("bad settings", 4400, "invalid_parameter: conf must be")
            expectClose("unknown setting", 4400, "invalid_parameter: unknown setting 'colour'")
            // The WebSocket layer refuses the frame itself, with the protocol's code alone.
            #expect((closes["oversized"] ?? nil)?.closeCode == .messageTooLarge, "\(String(describing: closes["oversized"]))")
            expectClose("full", 1013, "busy: all 2 live sessions are taken")
            try await JobQueueTests.waitUntil(10) { dependencies.liveSessions.count == 0 }
        }
        // A session that sends nothing is closed once idle.
        try await TestServer.run(try await TestServer.configuration { $0.live.idleSeconds = 1 }, transport: .live) {
            client, dependencies in
            let user = try await APIClient(client: client).signUp()
            let (received, close) = try await LiveClient(port: try #require(client.port)).session(
                query: "?token=\(user.accessToken)"
            ) { _, _ in try await Task.sleep(for: .seconds(60)) }
            #expect(received.of(type: "ready").count == 1)
            #expect(
                close?.closeCode == .unknown(4408) && close?.reason == "idle: nothing came for 1 s",
                "\(String(describing: close))")
            try await JobQueueTests.waitUntil(10) { dependencies.liveSessions.count == 0 }
        }
    }

    /// Sixteen sessions at once, each sending a second at 30 frames a second: each is answered in order,
    /// with its own tracker, and all places are given back.
    @Test func sixteenSessionsAtOnceAreEachServed() async throws {
        let jpeg = try await Self.plazaJPEG()
        try await TestServer.run(try await TestServer.configuration(), transport: .live) { client, dependencies in
            let user = try await APIClient(client: client).signUp()
            let live = LiveClient(port: try #require(client.port))
            let sessions = try await withThrowingTaskGroup(of: LiveClient.Received.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        let (received, _) = try await live.session(query: "?token=\(user.accessToken)") { outbound, received in
                            try await received.wait(for: "ready") { $0["type"] as? String == "ready" }
                            _ = try await LiveClient.send(jpeg, count: 30, interval: .milliseconds(33), on: outbound)
                            try await received.result(30, seconds: 120)
                        }
                        return received
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let outcomes = sessions.map { $0.of(type: "result") }
            #expect(outcomes.count == 16)
            for results in outcomes {
                let frames = results.compactMap { $0["frame"] as? Int }
                #expect(frames == frames.sorted() && frames.last == 30)
                #expect(frames.count + (results.last?["dropped"] as? Int ?? -1) == 30)
                // Each session's tracker numbers its own tracks from 1.
                let ids = ((results.last?["detections"] as? [[String: Any]]) ?? []).compactMap { $0["track_id"] as? Int }
                #expect(ids.min() == 1)
            }
            try await JobQueueTests.waitUntil(10) { dependencies.liveSessions.count == 0 }
        }
    }

    /// `record=true`: the frames become a video of the user's, tracked by its job.
    @Test func aRecordedSessionBecomesAVideo() async throws {
        let jpeg = try await Self.plazaJPEG()
        try await TestServer.run(try await JobQueueTests.configuration(), transport: .live) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let live = LiveClient(port: try #require(client.port))
            let videoId = Mutex<String?>(nil)
            let sendRate = Mutex(0.0)
            _ = try await live.session(query: "?token=\(user.accessToken)&record=true&classes=person") { outbound, received in
                let ready = try await received.wait(for: "ready") { $0["type"] as? String == "ready" }
                videoId.withLock { $0 = ready["video_id"] as? String }
                let sent = try await LiveClient.send(jpeg, count: 20, interval: .milliseconds(100), on: outbound)
                if let first = sent[1], let last = sent[20] {
                    sendRate.withLock { $0 = 19 / (TaskRunner.milliseconds(first, last) / 1000) }
                }
                try await received.result(20)
            }
            let id = try #require(videoId.withLock { $0 })
            try await JobQueueTests.withWorkers(dependencies) {
                try await JobQueueTests.waitUntil(120) {
                    // Stored once the session has gone; polled gently (the API is rate-limited).
                    try await Task.sleep(for: .milliseconds(250))
                    let status = try await api.get("/api/v1/videos/\(id)", as: user).json["status"] as? String
                    return status == "done" || status == "failed"
                }
            }
            let video = try await api.get("/api/v1/videos/\(id)", as: user)
            #expect(video.json["status"] as? String == "done", "\(String(buffer: video.body))")
            #expect((video.json["filename"] as? String)?.hasPrefix("live-") == true)
            let probe = try #require(video.json["video"] as? [String: Any])
            #expect(probe["frame_count"] as? Int == 20 && probe["codec"] as? String == "h264")
            // Recorded at the rate they came, as the server read them: near the rate they were
            // sent (10 a second) on a quiet machine, but a busy test run bunches them.
            let rate = sendRate.withLock { $0 }
            let fps = probe["fps"] as? Double ?? 0
            #expect(fps >= 1 && fps <= 60, "\(probe)")
            print(String(format: "live: recorded at %.2f fps, sent at %.2f fps", fps, rate))
            let summary = try #require(video.json["summary"] as? [String: Any])
            #expect(summary["frames"] as? Int == 20 && (summary["unique_tracks"] as? [String: Int])?["person"] ?? 0 >= 3)
        }
    }
}
