import ArgusCore
import ArgusVision
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// One live detection session on a WebSocket, from its credential to its close.
///
/// Three tasks share it: this one reads the client's messages (frames, settings), one
/// processes frames and answers them, and a watchdog closes the session once it has been
/// idle too long. Frames wait in a buffer of one: a frame that arrives while another is
/// waiting replaces it and counts as dropped, so a slow detector never builds a queue and
/// every answer is about the newest frame it could be.
struct LiveSession {
    let dependencies: ServerDependencies
    let outbound: WebSocketOutboundWriter
    let logger: Logger
    var configuration: ServerConfiguration { dependencies.configuration }
    var settings: LiveSettings { configuration.live }

    /// A frame as it arrived.
    struct Frame: Sendable {
        let number: Int
        let jpeg: ByteBuffer
        let arrived: ContinuousClock.Instant
    }

    /// What the reading and processing tasks share.
    private final class Shared: Sendable {
        struct Value {
            var options: LiveOptions?
            var dropped = 0
            var lastMessage = ContinuousClock.now
            /// The watchdog has closed the session.
            var closed = false
        }
        let value = Mutex(Value())
    }

    private enum Phase {
        /// Waiting for a credential (in the first message, when the upgrade carried none).
        case starting
        case running(identity: Identity, recording: LiveRecording?)
        /// Refused or closed: what still comes is read and ignored until the client's close.
        case closed
    }

    /// Runs the session until the client closes it, the server refuses it or it idles out.
    func run(inbound: WebSocketInboundStream, request: Request, identity: Identity?) async throws {
        let shared = Shared()
        let (frames, queue) = AsyncStream.makeStream(of: Frame.self, bufferingPolicy: .bufferingNewest(1))
        var phase = Phase.starting
        var frameNumber = 0
        var holdsPlace = false
        defer {
            queue.finish()
            if holdsPlace {
                dependencies.liveSessions.leave()
                dependencies.metrics.liveSessionClosed()
            }
        }
        let query = Dictionary(
            request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { _, last in last })

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watch(shared) }
            // The upgrade's own credential (a header, or the query string) starts at once.
            if identity != nil || query["token"] != nil || query["api_key"] != nil {
                phase = await start(query.mapValues(JSONValue.string), identity: identity, shared: shared)
                if case .running(_, let recording) = phase {
                    holdsPlace = true
                    group.addTask { try await process(frames, shared: shared, recording: recording) }
                }
            }
            // A connection that fails (a frame too large, a reset) still stores its recording.
            var failure: (any Error)?
            do {
                for try await message in inbound.messages(maxSize: settings.maxFrameBytes) {
                    let closed = shared.value.withLock { value in
                        value.lastMessage = .now
                        return value.closed
                    }
                    switch (closed ? .closed : phase, message) {
                    case (.closed, _):
                        continue
                    case (.starting, .text(let text)):
                        guard let fields = try await decode(text) else { continue }
                        var opening = query.mapValues(JSONValue.string)
                        for (name, value) in fields { opening[name] = value }
                        phase = await start(opening, identity: nil, shared: shared)
                        if case .running(_, let recording) = phase {
                            holdsPlace = true
                            group.addTask { try await process(frames, shared: shared, recording: recording) }
                        }
                    case (.starting, .binary):
                        phase = await refuse(
                            APIError(
                                .unauthorized, code: "unauthorized",
                                message: #"authenticate first: send {"token": "..."} or {"api_key": "..."} as the first message"#)
                        )
                    case (.running(_, let recording), .binary(let jpeg)):
                        frameNumber += 1
                        guard Self.isJPEG(jpeg) else {
                            dependencies.metrics.liveFrame("rejected")
                            let head = jpeg.readableBytesView.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
                            try await send(
                                LiveMessage.Problem(
                                    code: "invalid_frame",
                                    message:
                                        "frame \(frameNumber) is not a JPEG (it starts with \(head.isEmpty ? "nothing" : head)); send each frame as one JPEG image",
                                    frame: frameNumber))
                            continue
                        }
                        if let stopped = recording?.append(jpeg) {
                            try await send(LiveMessage.Problem(code: "recording_stopped", message: stopped, frame: frameNumber))
                        }
                        if case .dropped = queue.yield(Frame(number: frameNumber, jpeg: jpeg, arrived: .now)) {
                            shared.value.withLock { $0.dropped += 1 }
                            dependencies.metrics.liveFrame("dropped")
                        }
                    case (.running, .text(let text)):
                        guard let fields = try await decode(text) else { continue }
                        try await change(fields, shared: shared)
                    }
                }
            } catch {
                failure = error
            }
            // The client closed (or answered the watchdog's close): nothing more to answer.
            group.cancelAll()
            if case .running(let identity, let recording?) = phase, let options = shared.value.withLock({ $0.options }) {
                store(recording, options: options, userId: identity.userId)
            }
            if let failure { throw failure }
        }
    }

    /// Applies a settings message from the next frame on, answering `settings`, or an
    /// `error` that leaves the settings as they were.
    private func change(_ fields: [String: JSONValue], shared: Shared) async throws {
        if let name = fields.keys.sorted().first(where: LiveOptions.startNames.contains) {
            try await send(
                LiveMessage.Problem(
                    code: "invalid_parameter", message: "\(name) is only read when the session starts", frame: nil))
            return
        }
        guard let current = shared.value.withLock({ $0.options }) else { return }
        let options: LiveOptions
        do {
            options = try current.updated(with: fields, defaultModel: configuration.defaultModel, library: dependencies.library)
        } catch {
            try await send(LiveMessage.Problem(code: error.code, message: error.message, frame: nil))
            return
        }
        shared.value.withLock { $0.options = options }
        try await send(LiveMessage.Settings(model: options.settings.model, settings: options.fields))
    }

    /// Checks the credential and the settings, takes a place and says `ready`; or closes
    /// the session saying why.
    private func start(_ fields: [String: JSONValue], identity: Identity?, shared: Shared) async -> Phase {
        var identity = identity
        if identity == nil {
            guard let credential = (fields["token"] ?? fields["api_key"]).flatMap(LiveOptions.text(of:)) else {
                return await refuse(
                    APIError(
                        .unauthorized, code: "unauthorized",
                        message: #"send {"token": "..."} or {"api_key": "..."} as the first message, or ?token= in the URL"#))
            }
            do {
                identity = try await AuthenticationMiddleware.identity(
                    credential, authenticator: Authenticator(services: dependencies.accounts))
            } catch {
                return await refuse(APIError(error))
            }
        }
        guard let identity else { return .closed }
        guard identity.scopes.contains(.write) else {
            return await refuse(
                APIError(.forbidden, code: "insufficient_scope", message: "this credential lacks the 'write' scope"))
        }
        var record = false
        let options: LiveOptions
        do {
            if let value = fields["record"] {
                let text = LiveOptions.text(of: value) ?? "false"
                guard let flag = Bool(text.lowercased()) else {
                    throw APIError.badRequest("invalid_parameter", "record must be true or false, not '\(text)'")
                }
                record = flag
            }
            var settingsFields: [String: String] = [:]
            for (name, value) in fields where !LiveOptions.startNames.contains(name) {
                settingsFields[name] = LiveOptions.text(of: value)
            }
            options = try LiveOptions(
                settingsFields, source: .message, defaultModel: configuration.defaultModel, library: dependencies.library)
        } catch {
            return await refuse(APIError(error))
        }
        guard dependencies.liveSessions.enter(limit: settings.maxSessions) else {
            let reason =
                settings.maxSessions == 0
                ? "busy: live detection is turned off on this server (ARGUS_LIVE_MAX_SESSIONS=0)"
                : "busy: all \(settings.maxSessions) live sessions are taken; try again later"
            return await refuse(LiveCloseCode.full, reason)
        }
        dependencies.metrics.liveSessionOpened()
        var recording: LiveRecording?
        do {
            if record {
                recording = try LiveRecording(files: dependencies.videoFiles, limits: configuration.videoLimits)
            }
            shared.value.withLock { $0.options = options }
            try await send(
                LiveMessage.Ready(
                    session: UUID().lowercased, model: options.settings.model, settings: options.fields,
                    video_id: recording?.videoId.lowercased,
                    limits: .init(max_frame_bytes: settings.maxFrameBytes, idle_seconds: settings.idleSeconds)))
        } catch {
            dependencies.liveSessions.leave()
            dependencies.metrics.liveSessionClosed()
            return await refuse(APIError(error))
        }
        return .running(identity: identity, recording: recording)
    }

    /// The frames of a session being detected.
    private final class InFlight: Sendable {
        let count = Atomic(0)
    }

    /// A frame's detections.
    private struct Detected: Sendable {
        let frame: Frame
        let model: String
        let width: Int
        let height: Int
        let output: DetectionOutput
        let queueMs: Double
        let decodeMs: Double
    }

    /// A detected frame, or one that does not decode (with why).
    private enum Detection: Sendable {
        case detected(Detected)
        case unreadable(Frame, ImageError)
    }

    /// Detects frames as they are taken from the buffer of one, several at once, and
    /// tracks and answers them in the order they were taken. A session's share is the
    /// inference pool's slots over the open sessions (at least 1, at most 4): one camera
    /// alone keeps every core busy, and sixteen do not stack 32 frames in the pool's line
    /// (each frame would wait twice as long, for no more frames answered). A frame is
    /// taken only when the session is under its share, so the waiting one is the newest.
    private func process(_ frames: AsyncStream<Frame>, shared: Shared, recording: LiveRecording?) async throws {
        guard let first = shared.value.withLock({ $0.options }) else { return }
        let slots = configuration.effectiveInferenceConcurrency
        let sessions = dependencies.liveSessions
        let inFlight = InFlight()
        // One element per finished detection: the taker looks at its share again.
        let (finished, finishing) = AsyncStream.makeStream(of: Void.self)
        let (taken, taking) = AsyncStream.makeStream(of: Task<Detection, any Error>.self)
        let limits = configuration.imageLimits
        let pool = dependencies.pool
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var wakes = finished.makeAsyncIterator()
                var waiting = frames.makeAsyncIterator()
                defer { taking.finish() }
                while true {
                    while inFlight.count.load(ordering: .acquiring) >= max(1, min(4, slots / max(1, sessions.count))) {
                        guard await wakes.next() != nil else { return }
                    }
                    guard let frame = await waiting.next() else { return }
                    inFlight.count.add(1, ordering: .acquiringAndReleasing)
                    let options = shared.value.withLock { $0.options } ?? first
                    taking.yield(Task { try await Self.detect(frame, options: options, limits: limits, pool: pool) })
                }
            }
            var tracking = LiveTracking(first)
            for await detection in taken {
                defer {
                    inFlight.count.subtract(1, ordering: .acquiringAndReleasing)
                    finishing.yield(())
                }
                let detected: Detected
                switch try await detection.value {
                case .detected(let found):
                    detected = found
                case .unreadable(let frame, let error):
                    dependencies.metrics.liveFrame("rejected")
                    try await send(
                        LiveMessage.Problem(
                            code: "invalid_frame", message: "frame \(frame.number): \(error)", frame: frame.number))
                    continue
                }
                if let options = shared.value.withLock({ $0.options }) { tracking.adopt(options) }
                try await answer(detected, tracking: &tracking, shared: shared, recording: recording)
            }
            group.cancelAll()
        }
    }

    /// Decodes and detects one frame in a slot of the inference pool, waiting its turn.
    private static func detect(
        _ frame: Frame, options: LiveOptions, limits: ImageLimits, pool: InferencePool
    ) async throws -> Detection {
        let detector = options.detector
        let detection = options.settings.detectionOptions
        let jpeg = frame.jpeg
        return try await TaskRunner.waitingForPool {
            try await pool.run { () throws -> Detection in
                let start = ContinuousClock.now
                let image: Image
                do {
                    image = try jpeg.withUnsafeReadableBytes { try Image.decode($0, limits: limits) }
                } catch let error as ImageError {
                    return .unreadable(frame, error)
                }
                let decoded = ContinuousClock.now
                let output = try detector.detect(image, options: detection)
                return .detected(
                    Detected(
                        frame: frame, model: detector.manifest.id, width: image.width, height: image.height, output: output,
                        queueMs: TaskRunner.milliseconds(frame.arrived, start),
                        decodeMs: TaskRunner.milliseconds(start, decoded)))
            }
        }
    }

    /// Tracks a detected frame and sends its `result`.
    private func answer(
        _ detected: Detected, tracking: inout LiveTracking, shared: Shared, recording: LiveRecording?
    ) async throws {
        let frame = detected.frame
        dependencies.metrics.inferenceFinished(model: detected.model, milliseconds: detected.output.timings.inference)
        dependencies.metrics.liveFrame("processed")
        recording?.noteSize(width: detected.width, height: detected.height)
        let trackStart = ContinuousClock.now
        let tracked = tracking.update(detected.output.detections)
        let trackMs = TaskRunner.milliseconds(since: trackStart)
        let counts = Dictionary(grouping: tracked.detections, by: \.label).mapValues(\.count)
        let dropped = shared.value.withLock { $0.dropped }
        try await send(
            LiveMessage.Result(
                frame: frame.number, width: detected.width, height: detected.height, detections: tracked.detections,
                counts: counts, tracks: tracked.tracks, zones: tracked.zones, dropped: dropped,
                timings_ms: .init(
                    queue: NumberFormat.derived(detected.queueMs), decode: NumberFormat.derived(detected.decodeMs),
                    inference: NumberFormat.derived(detected.output.timings.inference),
                    track: NumberFormat.derived(trackMs),
                    total: NumberFormat.derived(TaskRunner.milliseconds(since: frame.arrived)))))
    }

    /// Closes the session once nothing has come for `ARGUS_LIVE_IDLE_SECONDS`.
    private func watch(_ shared: Shared) async throws {
        let idle = Duration.seconds(settings.idleSeconds)
        while true {
            let last = shared.value.withLock { $0.lastMessage }
            let due = last + idle
            if ContinuousClock.now >= due {
                shared.value.withLock { $0.closed = true }
                try? await outbound.close(LiveCloseCode.idle, explaining: "idle: nothing came for \(settings.idleSeconds) s")
                return
            }
            try await Task.sleep(until: min(due, .now + .seconds(1)))
        }
    }

    /// A settings message as a JSON object, or nil after telling the client it is not one.
    private func decode(_ text: String) async throws -> [String: JSONValue]? {
        if let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) { return object }
        try await send(
            LiveMessage.Problem(
                code: "invalid_json", message: "a text message must be a JSON object of settings, such as {\"conf\": 0.4}",
                frame: nil))
        return nil
    }

    /// Closes the session as `error` would answer a request (4000 + its status).
    private func refuse(_ error: APIError) async -> Phase {
        try? await outbound.close(refusing: error)
        return .closed
    }

    private func refuse(_ code: WebSocketErrorCode, _ reason: String) async -> Phase {
        try? await outbound.close(code, explaining: reason)
        return .closed
    }

    private func send(_ message: some Encodable) async throws {
        try await outbound.write(.text(String(decoding: try JSONCoding.encoder.encode(message), as: UTF8.self)))
    }

    /// JPEG's start-of-image marker: the only check before a frame is queued (decoding
    /// happens in the inference pool).
    static func isJPEG(_ buffer: ByteBuffer) -> Bool {
        buffer.readableBytes > 3 && buffer.readableBytesView.prefix(3).elementsEqual([0xFF, 0xD8, 0xFF])
    }

    /// Encodes the recorded frames and stores them as a video of the user's, with its
    /// `video.track` job, after the session has gone (it may take a while).
    private func store(_ recording: LiveRecording, options: LiveOptions, userId: UUID) {
        let dependencies = dependencies
        let logger = logger
        Task {
            guard let frames = recording.close() else { return }
            defer { try? FileManager.default.removeItem(atPath: frames.path) }
            do {
                let tools = try VideoTools.locate()
                let files = dependencies.videoFiles
                let limits = dependencies.configuration.videoLimits
                let mp4 = try files.incomingFile()
                defer { try? FileManager.default.removeItem(atPath: mp4) }
                let info = try await BlockingWork.run { () throws -> VideoInfo in
                    try tools.encodeJPEGSequence(
                        from: frames.path, frameRate: frames.frameRate, width: frames.width, height: frames.height, to: mp4)
                    return try tools.probe(path: mp4, limits: limits)
                }
                let stamp = ISO8601DateFormatter.string(
                    from: Date(), timeZone: TimeZone(secondsFromGMT: 0) ?? .current, formatOptions: [.withFullDate, .withTime])
                _ = try await VideosController(dependencies: dependencies).add(
                    mp4, id: recording.videoId, userId: userId, filename: "live-\(stamp).mp4",
                    byteSize: VideoFiles.size(of: mp4) ?? 0, info: info, settings: options.settings)
                logger.info(
                    "live session recorded",
                    metadata: ["video_id": .string(recording.videoId.lowercased), "frames": .stringConvertible(frames.frames)])
            } catch {
                logger.error(
                    "a live session's recording could not be stored",
                    metadata: ["video_id": .string(recording.videoId.lowercased), "error": .string("\(error)")])
            }
        }
    }
}
