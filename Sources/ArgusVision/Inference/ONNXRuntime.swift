import CONNXRuntime
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Errors from loading or running ONNX Runtime, carrying ORT's own message.
public enum InferenceError: Error, CustomStringConvertible, Sendable {
    case libraryNotFound(tried: [String], reason: String)
    case apiUnavailable(String)
    case runtime(String)
    case unsupportedTensorType(name: String, type: UInt32)
    case badInput(String)

    public var description: String {
        switch self {
        case .libraryNotFound(let tried, let reason):
            "ONNX Runtime library not found (tried \(tried.joined(separator: ", "))): \(reason). "
                + "Run `make setup` or set ARGUS_ORT_LIBRARY."
        case .apiUnavailable(let detail): "ONNX Runtime API unavailable: \(detail)"
        case .runtime(let message): "ONNX Runtime: \(message)"
        case .unsupportedTensorType(let name, let type):
            "tensor \(name) has element type \(type); only float32 is supported"
        case .badInput(let detail): detail
        }
    }
}

/// The ONNX Runtime library, opened with dlopen so that the CPU or the CUDA build
/// can be chosen at run time, and its process-wide environment.
public final class ONNXRuntime: @unchecked Sendable {
    public let libraryPath: String
    public let version: String
    let api: UnsafePointer<OrtApi>
    let env: OpaquePointer

    private static let loaded = Mutex<[String: ONNXRuntime]>([:])

    private init(libraryPath: String, api: UnsafePointer<OrtApi>, env: OpaquePointer, version: String) {
        self.libraryPath = libraryPath
        self.api = api
        self.env = env
        self.version = version
    }

    /// Opens the library once per path. Without an explicit path: `ARGUS_ORT_LIBRARY`,
    /// then `.deps/onnxruntime/lib` next to the working directory or any parent of the
    /// executable, then the system's library path.
    ///
    /// With `cuda`, the default is the CUDA build `make setup GPU=1` installs in
    /// `.deps/onnxruntime-gpu/lib`, and never the CPU one: a GPU server that silently ran
    /// on the CPU would be the worst outcome.
    public static func load(libraryPath: String? = nil, cuda: Bool = false) throws -> ONNXRuntime {
        let candidates = libraryPath.map { [$0] } ?? defaultCandidates(cuda: cuda)
        return try loaded.withLock { cache in
            for candidate in candidates {
                if let runtime = cache[candidate] { return runtime }
            }
            var reason = "no candidate path"
            for candidate in candidates {
                guard let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) else {
                    reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
                    continue
                }
                let runtime = try open(handle: handle, path: candidate)
                cache[candidate] = runtime
                return runtime
            }
            throw InferenceError.libraryNotFound(tried: candidates, reason: reason)
        }
    }

    private static func open(handle: UnsafeMutableRawPointer, path: String) throws -> ONNXRuntime {
        typealias GetApiBase = @convention(c) () -> UnsafePointer<OrtApiBase>?
        guard let symbol = dlsym(handle, "OrtGetApiBase") else {
            throw InferenceError.apiUnavailable("\(path) has no OrtGetApiBase")
        }
        let getApiBase = unsafeBitCast(symbol, to: GetApiBase.self)
        guard let base = getApiBase(), let api = base.pointee.GetApi!(UInt32(ORT_API_VERSION)) else {
            throw InferenceError.apiUnavailable("\(path) does not provide API version \(ORT_API_VERSION)")
        }
        let version = base.pointee.GetVersionString!().map { String(cString: $0) } ?? "unknown"
        var env: OpaquePointer?
        try check(api, api.pointee.CreateEnv!(ORT_LOGGING_LEVEL_ERROR, "argus", &env))
        guard let env else { throw InferenceError.apiUnavailable("CreateEnv returned no environment") }
        return ONNXRuntime(libraryPath: path, api: api, env: env, version: version)
    }

    static func defaultCandidates(cuda: Bool = false) -> [String] {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["ARGUS_ORT_LIBRARY"], !explicit.isEmpty { return [explicit] }
        let relative = cuda ? ".deps/onnxruntime-gpu/lib/libonnxruntime.so.1" : ".deps/onnxruntime/lib/libonnxruntime.so.1"
        var roots = [FileManager.default.currentDirectoryPath]
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<5 {
            roots.append(directory.path)
            directory.deleteLastPathComponent()
        }
        var candidates: [String] = []
        for root in roots {
            let path = root + "/" + relative
            if !candidates.contains(path), FileManager.default.fileExists(atPath: path) { candidates.append(path) }
        }
        if !cuda { candidates.append("libonnxruntime.so.1") }
        return candidates
    }

    /// Turns an OrtStatus into a thrown error with ORT's message, releasing it.
    func check(_ status: OpaquePointer?) throws {
        try Self.check(api, status)
    }

    static func check(_ api: UnsafePointer<OrtApi>, _ status: OpaquePointer?) throws {
        guard let status else { return }
        let message = api.pointee.GetErrorMessage!(status).map { String(cString: $0) } ?? "unknown error"
        api.pointee.ReleaseStatus!(status)
        throw InferenceError.runtime(message)
    }
}
