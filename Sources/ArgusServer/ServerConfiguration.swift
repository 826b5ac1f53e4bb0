import ArgusVision
import Foundation

/// A setting that could not be understood; the message names it.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Everything `argus serve` reads from `ARGUS_*` environment variables.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "data"
    public var modelsDirectory = "models"
    public var defaultModel = ModelCatalogue.defaultDetector
    /// Largest request body accepted by upload routes, in bytes.
    public var maxUploadBytes = 10 * 1024 * 1024
    public var imageLimits = ImageLimits()
    /// Inference jobs running at once, and jobs allowed to wait for a slot.
    public var inferenceConcurrency = 1
    public var inferenceQueue = 16
    /// Threads one inference may use (0: one per core).
    public var inferenceThreads = 0
    public var ortLibrary: String?
    public var executionProvider = ExecutionProvider.cpu

    public init() {}

    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment: environment)
        host = reader.string("ARGUS_HOST") ?? host
        port = try reader.integer("ARGUS_PORT", in: 0...65535) ?? port
        dataDirectory = reader.string("ARGUS_DATA_DIR") ?? dataDirectory
        modelsDirectory = reader.string("ARGUS_MODELS_DIR") ?? modelsDirectory
        defaultModel = reader.string("ARGUS_DEFAULT_MODEL") ?? defaultModel
        maxUploadBytes = try reader.integer("ARGUS_MAX_UPLOAD_BYTES", in: 1024...(1 << 30)) ?? maxUploadBytes
        let maxSide = try reader.integer("ARGUS_MAX_IMAGE_SIDE", in: 32...65535) ?? imageLimits.maxWidth
        imageLimits = ImageLimits(maxWidth: maxSide, maxHeight: maxSide)
        inferenceConcurrency = try reader.integer("ARGUS_INFERENCE_CONCURRENCY", in: 1...256) ?? inferenceConcurrency
        inferenceQueue = try reader.integer("ARGUS_INFERENCE_QUEUE", in: 0...10_000) ?? inferenceQueue
        inferenceThreads = try reader.integer("ARGUS_INFERENCE_THREADS", in: 0...256) ?? inferenceThreads
        ortLibrary = reader.string("ARGUS_ORT_LIBRARY")
        switch reader.string("ARGUS_EXECUTION_PROVIDER")?.lowercased() {
        case nil, "cpu": executionProvider = .cpu
        case "cuda": executionProvider = .cuda(device: try reader.integer("ARGUS_CUDA_DEVICE", in: 0...64) ?? 0)
        case let other?:
            throw ConfigurationError(description: "ARGUS_EXECUTION_PROVIDER must be cpu or cuda, not '\(other)'")
        }
    }
}

/// Typed reads of environment variables with errors that name the variable.
struct EnvironmentReader {
    let environment: [String: String]

    func string(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                description: "\(name)=\(text) is invalid: expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
