import ArgusCore
import ArgusVision
import FluentKit
import Foundation
import NIOCore

/// Runs the detect and circles tasks on an upload and records each run with its objects,
/// for the history, stats and image objects.
struct TaskRunner: Sendable {
    let dependencies: ServerDependencies

    enum Task: String, CaseIterable, Sendable {
        case detect, circles, faces, embed
        case removeBackground = "remove-background"
        /// A video's detection and tracking (a `video.track` job), never an image's.
        case track

        /// The tasks a request can wait for (`POST /images`).
        static let synchronous: [Task] = [.detect, .circles]
        /// The tasks the upload flow runs on an image.
        static let imageTasks: [Task] = allCases.filter { $0 != .track }
    }

    /// A comma-separated list of `allowed` tasks, or `none`; `detect` when there is none.
    static func parse(_ text: String?, allowed: [Task] = Task.synchronous) throws(APIError) -> [Task] {
        guard let text else { return [.detect] }
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if names == ["none"] || names.isEmpty { return [] }
        var tasks: [Task] = []
        for name in names {
            guard let task = Task(rawValue: name), allowed.contains(task) else {
                let choices = allowed.map(\.rawValue).joined(separator: ", ")
                throw .badRequest("invalid_parameter", "unknown task '\(name)': use \(choices) or none")
            }
            if !tasks.contains(task) { tasks.append(task) }
        }
        return tasks
    }

    struct Outcome: Sendable {
        let task: Task
        let model: String
        let objects: [DetectedObjectRecord]
        let inferenceMs: Double
        let totalMs: Double
    }

    /// What one request asks for, and what it got.
    struct Analysis: Sendable {
        let image: Image
        let decodeMs: Double
        /// Waited for a slot of the pool that decoded the image.
        var queueMs = 0.0
        var detection: (detector: Detector, output: DetectionOutput, totalMs: Double)?
        var circles: (name: String, found: [DetectedCircle], ms: Double)?
    }

    /// `analyse` for a job: a job has no client to answer `503 busy`, so while the pool is
    /// saturated (by requests, say) it waits its turn, retrying at growing intervals
    /// (20 ms doubling to 1 s), rather than failing the image.
    func analyseWaiting(
        _ bytes: [UInt8], detect: (Detector, DetectionOptions)?, circles circleOptions: CircleOptions?
    ) async throws -> Analysis {
        try await Self.waitingForPool { try await analyse(bytes, detect: detect, circles: circleOptions) }
    }

    /// Runs `work` until a pool takes it: a job has no client to answer `503 busy`, so
    /// while the pool is saturated (by requests, say) it waits its turn, retrying at
    /// growing intervals (20 ms doubling to 1 s), rather than failing.
    static func waitingForPool<Result>(_ work: () async throws -> Result) async throws -> Result {
        var pause = Duration.milliseconds(20)
        while true {
            do {
                return try await work()
            } catch is InferencePoolError {
                try await _Concurrency.Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(1))
            }
        }
    }

    /// The faces of an upload, decoded and found in one slot of the inference pool.
    func faces(
        _ bytes: [UInt8], options: FaceOptions = FaceOptions()
    ) async throws -> (
        width: Int, height: Int, output: FaceOutput, totalMs: Double
    ) {
        let detector = try dependencies.faces.detector()
        let limits = dependencies.configuration.imageLimits
        let found = try await dependencies.pool.run { () throws -> (Int, Int, FaceOutput, Double) in
            let start = ContinuousClock.now
            let image = try Image.decode(bytes, limits: limits)
            let output = try detector.detect(image, options: options)
            return (image.width, image.height, output, Self.milliseconds(since: start))
        }
        dependencies.metrics.inferenceFinished(model: "centerface", milliseconds: found.2.timings.inference)
        return found
    }

    /// Decodes the upload and runs detection in ONE slot of the inference pool (a request
    /// queues once there, and its pixels never wait in memory for a second turn), then the
    /// Hough transform in a slot of the circle pool, so that a slow transform never holds
    /// up detection. A remote circle detector is called after the slots are given back.
    func analyse(
        _ bytes: [UInt8], detect: (Detector, DetectionOptions)?, circles circleOptions: CircleOptions?,
        reserved: Reservations = Reservations()
    ) async throws -> Analysis {
        let limits = dependencies.configuration.imageLimits
        let circleDetector = dependencies.images.circles
        let hough = circleDetector as? HoughCircleDetector
        let enqueued = ContinuousClock.now
        let decode = { @Sendable () throws -> Analysis in
            let decodeStart = ContinuousClock.now
            let image = try bytes.withUnsafeBytes { try Image.decode($0, limits: limits) }
            var analysis = Analysis(image: image, decodeMs: Self.milliseconds(since: decodeStart))
            analysis.queueMs = Self.milliseconds(enqueued, decodeStart)
            return analysis
        }
        let findCircles = { @Sendable (analysis: inout Analysis) throws in
            guard let circleOptions, let hough else { return }
            let start = ContinuousClock.now
            let found = try hough.detectNow(analysis.image, options: circleOptions)
            analysis.circles = (hough.name, found, Self.milliseconds(since: start))
        }
        var analysis: Analysis
        if let (detector, options) = detect {
            analysis = try await dependencies.pool.run(reservation: reserved.inference) { () throws -> Analysis in
                var analysis = try decode()
                let start = ContinuousClock.now
                let output = try detector.detect(analysis.image, options: options)
                analysis.detection = (detector, output, Self.milliseconds(since: start))
                return analysis
            }
            if circleOptions != nil, hough != nil {
                analysis = try await dependencies.circlePool.run(reservation: reserved.circles) { [analysis] in
                    var analysis = analysis
                    try findCircles(&analysis)
                    return analysis
                }
            }
        } else if circleOptions != nil, hough != nil {
            analysis = try await dependencies.circlePool.run(reservation: reserved.circles) {
                var analysis = try decode()
                try findCircles(&analysis)
                return analysis
            }
        } else {
            analysis = try await dependencies.pool.run(reservation: reserved.inference, decode)
        }
        if let circleOptions, hough == nil {
            let start = ContinuousClock.now
            let found = try await circleDetector.detect(analysis.image, options: circleOptions)
            analysis.circles = (circleDetector.name, found, Self.milliseconds(since: start))
        }
        if let detection = analysis.detection {
            dependencies.metrics.inferenceFinished(
                model: detection.detector.manifest.id, milliseconds: detection.output.timings.inference)
        }
        if let circles = analysis.circles {
            dependencies.metrics.inferenceFinished(model: circles.name, milliseconds: circles.ms)
        }
        return analysis
    }

    /// Places in the pools a request's tasks will use, taken before its body is read.
    struct Reservations: Sendable {
        var inference: InferencePool.Reservation?
        var circles: InferencePool.Reservation?
    }

    /// Takes the places `tasks` need, or throws the refusal (`503 busy`) before the
    /// request's body is read: under overload a refusal must cost next to nothing.
    func reserve(for tasks: [Task]) throws(InferencePoolError) -> Reservations {
        var reservations = Reservations()
        let hough = dependencies.images.circles is HoughCircleDetector
        // Detection decodes in the inference pool; circles alone, in the circle pool.
        if tasks.contains(.detect) || (tasks.contains(.circles) && !hough) {
            reservations.inference = try dependencies.pool.reserve()
        }
        if tasks.contains(.circles) && hough { reservations.circles = try dependencies.circlePool.reserve() }
        return reservations
    }

    /// Records the analysis's runs (and objects) for the user; nothing for anonymous callers.
    func record(_ analysis: Analysis, userId: UUID?, imageId: UUID?, on db: any Database) async throws -> [Outcome] {
        guard let userId else { return [] }
        var outcomes: [Outcome] = []
        if let detection = analysis.detection {
            outcomes.append(
                try await record(
                    task: .detect, model: detection.detector.manifest.id, userId: userId, imageId: imageId,
                    width: analysis.image.width,
                    height: analysis.image.height,
                    inferenceMs: detection.output.timings.inference, totalMs: detection.totalMs, on: db
                ) { runId in
                    detection.output.detections.map {
                        DetectedObjectRecord.box($0, runId: runId, imageId: imageId, userId: userId)
                    }
                })
        }
        if let circles = analysis.circles {
            outcomes.append(
                try await record(
                    task: .circles, model: circles.name, userId: userId, imageId: imageId, width: analysis.image.width,
                    height: analysis.image.height,
                    inferenceMs: circles.ms, totalMs: circles.ms, on: db
                ) { runId in circles.found.map { DetectedObjectRecord.circle($0, runId: runId, imageId: imageId, userId: userId) }
                })
        }
        return outcomes
    }

    /// One run of `task` with its objects.
    func record(
        task: Task, model: String, userId: UUID, imageId: UUID?, videoId: UUID? = nil, width: Int, height: Int,
        inferenceMs: Double, totalMs: Double, on db: any Database, objects: (UUID) -> [DetectedObjectRecord]
    ) async throws -> Outcome {
        // Timings are sums and quotients of clock readings: rounded to nanoseconds, so that
        // no answer prints the long tail of a float addition (12.345801000000001).
        let (inferenceMs, totalMs) = (NumberFormat.derived(inferenceMs), NumberFormat.derived(totalMs))
        let run = InferenceRunRecord()
        let runId = UUID()
        run.id = runId
        run.$user.id = userId
        run.$image.id = imageId
        run.videoId = videoId
        run.task = task.rawValue
        run.model = model
        run.inferenceMs = inferenceMs
        run.totalMs = totalMs
        run.imageWidth = width
        run.imageHeight = height
        run.createdMicros = .nowMicros
        let records = objects(runId)
        for record in records { record.id = UUID() }
        run.objectCount = records.count
        try await run.create(on: db)
        if !records.isEmpty { try await records.create(on: db) }
        return Outcome(task: task, model: model, objects: records, inferenceMs: inferenceMs, totalMs: totalMs)
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        milliseconds(start, .now)
    }

    static func milliseconds(_ start: ContinuousClock.Instant, _ end: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: end)
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}
