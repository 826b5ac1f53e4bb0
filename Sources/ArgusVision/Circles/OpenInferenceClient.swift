import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Synchronization

/// Why a call to a model server failed.
public enum RemoteInferenceError: Error, CustomStringConvertible, Sendable {
    case unavailable(String)
    case rejected(status: Int, message: String)
    case badResponse(String)

    public var description: String {
        switch self {
        case .unavailable(let detail): "the model server is unavailable: \(detail)"
        case .rejected(let status, let message): "the model server answered \(status): \(message)"
        case .badResponse(let detail): "the model server's answer is not usable: \(detail)"
        }
    }

    /// Worth another try: the server was unreachable or said it is busy.
    var isTransient: Bool {
        switch self {
        case .unavailable: true
        case .rejected(let status, _): [429, 502, 503, 504].contains(status)
        case .badResponse: false
        }
    }
}

/// A client of the Open Inference Protocol v2 (KServe, Triton, MLServer) over REST:
/// readiness, model metadata and inference, with the binary tensor extension when the
/// server takes it (and JSON otherwise), timeouts, retries with exponential backoff and
/// jitter for transient failures, a circuit breaker, and readiness cached so that a
/// down server costs one fast failure instead of a timeout per request.
public final class OpenInferenceClient: Sendable {
    public struct Settings: Sendable {
        public var timeout: TimeAmount = .seconds(10)
        public var attempts = 3
        public var backoff: Duration = .milliseconds(100)
        /// Consecutive failures that open the circuit, and how long it stays open.
        public var breakerThreshold = 5
        public var breakerCooldown: Duration = .seconds(30)
        /// How long a readiness answer is trusted.
        public var healthTTL: Duration = .seconds(5)
        /// Sent as `Authorization: Bearer ...` with every call, when the server wants one.
        public var bearerToken: String?

        public init() {}
    }

    public struct Tensor: Sendable {
        public var name: String
        public var datatype: String
        public var shape: [Int]
        /// Row-major values as Double (what JSON carries).
        public var values: [Double]
    }

    public let baseURL: String
    public let settings: Settings
    private let http: HTTPClient

    private struct State {
        var consecutiveFailures = 0
        var openUntil: ContinuousClock.Instant?
        var health: (ready: Bool, checked: ContinuousClock.Instant)?
        /// nil until learned: does the server accept binary tensor data?
        var binary: Bool?
    }
    private let state = Mutex(State())

    public init(baseURL: String, settings: Settings = Settings(), http: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.settings = settings
        self.http = http
    }

    /// `GET /v2/health/ready`, answered from the cache while it is fresh.
    public func isReady() async -> Bool {
        let now = ContinuousClock.now
        if let cached = state.withLock({ $0.health }), cached.checked.duration(to: now) < settings.healthTTL {
            return cached.ready
        }
        var ready = false
        var request = HTTPClientRequest(url: baseURL + "/v2/health/ready")
        if let token = settings.bearerToken { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let response = try? await http.execute(request, timeout: settings.timeout) {
            ready = response.status == .ok
            _ = try? await response.body.collect(upTo: 1 << 16)
        }
        state.withLock { $0.health = (ready, .now) }
        return ready
    }

    /// `GET /v2/models/{name}`: the model's metadata as JSON.
    public func metadata(model: String) async throws -> [String: Any] {
        let (status, body) = try await send(HTTPClientRequest(url: modelURL(model)))
        guard status == 200, let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw RemoteInferenceError.rejected(status: status, message: String(decoding: body.prefix(300), as: UTF8.self))
        }
        return object
    }

    /// `POST /v2/models/{name}/infer` with one UINT8 input; returns the outputs.
    public func infer(
        model: String, inputName: String, shape: [Int], bytes: [UInt8], parameters: [String: Any] = [:]
    ) async throws -> [Tensor] {
        try checkCircuit()
        if let health = state.withLock({ $0.health }), !health.ready, health.checked.duration(to: .now) < settings.healthTTL {
            // Known down a moment ago: fail at once (and count it towards opening the circuit).
            let error = RemoteInferenceError.unavailable("not ready (checked \(health.checked.duration(to: .now)) ago)")
            recordFailure(error)
            throw error
        }
        var lastError: RemoteInferenceError = .unavailable("no attempt made")
        for attempt in 0..<settings.attempts {
            if attempt > 0 {
                // Exponential backoff with full jitter.
                let ceiling = settings.backoff * (1 << (attempt - 1))
                let wait =
                    Double.random(in: 0.5...1.0)
                    * Double(ceiling.components.attoseconds / 1_000_000_000 + ceiling.components.seconds * 1_000_000_000)
                try await Task.sleep(for: .nanoseconds(Int64(wait)))
            }
            do {
                let outputs = try await inferOnce(
                    model: model, inputName: inputName, shape: shape, bytes: bytes, parameters: parameters)
                state.withLock {
                    $0.consecutiveFailures = 0
                    $0.health = (true, .now)
                }
                return outputs
            } catch let error as RemoteInferenceError {
                lastError = error
                recordFailure(error)
                if !error.isTransient { break }
            }
        }
        throw lastError
    }

    private func inferOnce(
        model: String, inputName: String, shape: [Int], bytes: [UInt8], parameters: [String: Any]
    ) async throws -> [Tensor] {
        let useBinary = state.withLock { $0.binary } ?? true
        var input: [String: Any] = ["name": inputName, "datatype": "UINT8", "shape": shape]
        var request = HTTPClientRequest(url: modelURL(model) + "/infer")
        request.method = .POST
        if useBinary {
            input["parameters"] = ["binary_data_size": bytes.count]
            let header = try JSONSerialization.data(withJSONObject: ["inputs": [input], "parameters": parameters])
            var body = ByteBuffer(data: header)
            body.writeBytes(bytes)
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.headers.add(name: "Inference-Header-Content-Length", value: String(header.count))
            request.body = .bytes(body)
        } else {
            input["data"] = bytes.map(Int.init)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(
                ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["inputs": [input], "parameters": parameters])))
        }
        let (status, body) = try await send(request)
        if useBinary, (400..<500).contains(status), status != 404, status != 429, state.withLock({ $0.binary }) == nil {
            // Not every server takes the binary extension: learn that once, then speak JSON.
            state.withLock { $0.binary = false }
            return try await inferOnce(model: model, inputName: inputName, shape: shape, bytes: bytes, parameters: parameters)
        }
        guard status == 200 else {
            throw RemoteInferenceError.rejected(status: status, message: String(decoding: body.prefix(300), as: UTF8.self))
        }
        if useBinary { state.withLock { $0.binary = true } }
        return try Self.outputs(from: body)
    }

    /// The `outputs` of a JSON inference answer.
    static func outputs(from body: Data) throws -> [Tensor] {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let outputs = object["outputs"] as? [[String: Any]]
        else { throw RemoteInferenceError.badResponse("no 'outputs' in the answer") }
        return try outputs.map { output in
            guard let name = output["name"] as? String, let shape = output["shape"] as? [Int],
                let datatype = output["datatype"] as? String, let data = output["data"]
            else { throw RemoteInferenceError.badResponse("an output lacks name, shape, datatype or data") }
            // The server's shape is untrusted: a negative dimension or an overflowing
            // product (reduce(1, *) would trap) is a bad answer.
            var elements = 1
            for dimension in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard dimension >= 0, !overflow else {
                    throw RemoteInferenceError.badResponse("output \(name) has an invalid shape \(shape)")
                }
                elements = product
            }
            let values = flatten(data)
            guard values.count == elements else {
                throw RemoteInferenceError.badResponse("output \(name) has \(values.count) values for shape \(shape)")
            }
            return Tensor(name: name, datatype: datatype, shape: shape, values: values)
        }
    }

    /// Servers send flat or nested arrays.
    static func flatten(_ value: Any) -> [Double] {
        if let array = value as? [Any] { return array.flatMap(flatten) }
        if let number = value as? NSNumber { return [number.doubleValue] }
        return []
    }

    private func modelURL(_ model: String) -> String {
        baseURL + "/v2/models/" + (model.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? model)
    }

    private func send(_ request: HTTPClientRequest) async throws -> (Int, Data) {
        var request = request
        if let token = settings.bearerToken { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer " + token) }
        do {
            let response = try await http.execute(request, timeout: settings.timeout)
            let body = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Data(buffer: body))
        } catch let error as RemoteInferenceError {
            throw error
        } catch {
            throw RemoteInferenceError.unavailable(String(describing: error))
        }
    }

    private func checkCircuit() throws {
        try state.withLock { state in
            guard let until = state.openUntil else { return }
            if ContinuousClock.now < until {
                throw RemoteInferenceError.unavailable("circuit open after \(settings.breakerThreshold) failures in a row")
            }
            state.openUntil = nil  // half-open: let this call through
        }
    }

    private func recordFailure(_ error: RemoteInferenceError) {
        guard error.isTransient else { return }
        state.withLock {
            $0.consecutiveFailures += 1
            $0.health = (false, .now)
            if $0.consecutiveFailures >= settings.breakerThreshold { $0.openUntil = .now + settings.breakerCooldown }
        }
    }

    /// Whether the server took the binary tensor extension (nil until a call tells).
    public var usesBinaryTensors: Bool? { state.withLock { $0.binary } }

    /// Whether the circuit is open now (for health reports).
    public var circuitOpen: Bool {
        state.withLock { $0.openUntil.map { ContinuousClock.now < $0 } ?? false }
    }
}
