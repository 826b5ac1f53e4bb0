import CONNXRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// A named tensor's declared element type and shape (-1 for a dynamic dimension).
public struct TensorInfo: Sendable, Hashable {
    public var name: String
    public var elementType: UInt32
    public var shape: [Int]

    public var isFloat: Bool { elementType == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT.rawValue }

    /// The element type, or nil for one Argus does not know (a map or a sequence).
    public var type: TensorElementType? { TensorElementType(rawValue: elementType) }
}

/// A float32 tensor owned by Swift.
public struct Tensor: Sendable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        self.shape = shape
        self.data = data
    }
}

/// A read-only view of an output tensor, valid only inside `InferenceSession.run`'s body.
public struct TensorView {
    public let name: String
    public let shape: [Int]
    public let data: UnsafeBufferPointer<Float>
}

public enum ExecutionProvider: Sendable, Hashable {
    case cpu
    /// NVIDIA GPU through the CUDA build of the library (libonnxruntime_providers_cuda.so beside it).
    case cuda(device: Int)
}

public struct SessionOptions: Sendable, Hashable {
    /// Threads one run may use; 0 lets ONNX Runtime pick (one per core).
    public var intraOpThreads: Int
    public var executionProvider: ExecutionProvider
    /// Whether idle intra-op threads spin waiting for work (ONNX Runtime's default: the
    /// lowest latency when the model has the cores to itself). Off where other work shares
    /// the cores, as ffmpeg's decoder and encoder do while a video is processed.
    public var allowSpinning: Bool

    public init(intraOpThreads: Int = 0, executionProvider: ExecutionProvider = .cpu, allowSpinning: Bool = true) {
        self.intraOpThreads = intraOpThreads
        self.executionProvider = executionProvider
        self.allowSpinning = allowSpinning
    }
}

/// One loaded model. Create it once and share it: ONNX Runtime allows concurrent runs.
public final class InferenceSession: @unchecked Sendable {
    public let inputs: [TensorInfo]
    public let outputs: [TensorInfo]
    public let modelPath: String
    private let runtime: ONNXRuntime
    private let session: OpaquePointer
    private let memoryInfo: OpaquePointer
    private let inputNames: [UnsafeMutablePointer<CChar>]
    private let outputNames: [UnsafeMutablePointer<CChar>]

    public init(modelPath: String, runtime: ONNXRuntime, options: SessionOptions = SessionOptions()) throws {
        self.runtime = runtime
        self.modelPath = modelPath
        let api = runtime.api.pointee

        var sessionOptions: OpaquePointer?
        try runtime.check(api.CreateSessionOptions!(&sessionOptions))
        defer { api.ReleaseSessionOptions!(sessionOptions) }
        if options.intraOpThreads > 0 {
            try runtime.check(api.SetIntraOpNumThreads!(sessionOptions, Int32(options.intraOpThreads)))
        }
        try runtime.check(api.SetInterOpNumThreads!(sessionOptions, 1))
        try runtime.check(api.SetSessionGraphOptimizationLevel!(sessionOptions, ORT_ENABLE_ALL))
        if !options.allowSpinning {
            try runtime.check(api.AddSessionConfigEntry!(sessionOptions, "session.intra_op.allow_spinning", "0"))
        }
        if case .cuda(let device) = options.executionProvider {
            try Self.appendCUDA(runtime: runtime, options: sessionOptions, device: device)
        }

        var session: OpaquePointer?
        try runtime.check(api.CreateSession!(runtime.env, modelPath, sessionOptions, &session))
        guard let session else { throw InferenceError.runtime("CreateSession returned no session") }
        self.session = session

        var memoryInfo: OpaquePointer?
        try runtime.check(api.CreateCpuMemoryInfo!(OrtArenaAllocator, OrtMemTypeDefault, &memoryInfo))
        self.memoryInfo = memoryInfo!

        inputs = try Self.describe(runtime: runtime, session: session, outputs: false)
        outputs = try Self.describe(runtime: runtime, session: session, outputs: true)
        inputNames = inputs.map { strdup($0.name)! }
        outputNames = outputs.map { strdup($0.name)! }
    }

    deinit {
        let api = runtime.api.pointee
        api.ReleaseSession!(session)
        api.ReleaseMemoryInfo!(memoryInfo)
        (inputNames + outputNames).forEach { free($0) }
    }

    /// Runs the model on float inputs given in the order of `inputs`, and hands the
    /// outputs (in the order of `outputs`) to `body` without copying them.
    public func run<Result>(
        _ feeds: [(shape: [Int], data: UnsafeBufferPointer<Float>)],
        _ body: ([TensorView]) throws -> Result
    ) throws -> Result {
        guard feeds.count == inputs.count else {
            throw InferenceError.badInput("the model takes \(inputs.count) inputs, \(feeds.count) given")
        }
        let api = runtime.api.pointee
        var values: [OpaquePointer?] = []
        defer { values.forEach { api.ReleaseValue!($0) } }
        for (feed, info) in zip(feeds, inputs) {
            guard feed.shape.reduce(1, *) == feed.data.count else {
                throw InferenceError.badInput("input \(info.name): shape \(feed.shape) does not match \(feed.data.count) values")
            }
            var value: OpaquePointer?
            var shape = feed.shape.map(Int64.init)
            try runtime.check(
                api.CreateTensorWithDataAsOrtValue!(
                    memoryInfo, UnsafeMutableRawPointer(mutating: feed.data.baseAddress),
                    feed.data.count * MemoryLayout<Float>.stride, &shape, shape.count,
                    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &value))
            values.append(value)
        }

        var results = [OpaquePointer?](repeating: nil, count: outputs.count)
        defer { results.forEach { if let value = $0 { api.ReleaseValue!(value) } } }
        let inputNamePointers = inputNames.map { UnsafePointer<CChar>($0) as UnsafePointer<CChar>? }
        let outputNamePointers = outputNames.map { UnsafePointer<CChar>($0) as UnsafePointer<CChar>? }
        try runtime.check(
            api.Run!(
                session, nil, inputNamePointers, values, values.count, outputNamePointers, outputNamePointers.count,
                &results))

        var views: [TensorView] = []
        for (value, info) in zip(results, outputs) {
            views.append(try view(of: value, name: info.name))
        }
        return try body(views)
    }

    /// Convenience: runs on owned tensors and copies the outputs out.
    public func run(_ feeds: [Tensor]) throws -> [Tensor] {
        try withBuffers(feeds[...]) { buffers in
            try run(buffers) { views in views.map { Tensor(shape: $0.shape, data: Array($0.data)) } }
        }
    }

    /// Runs the model on tensors of any fixed-size element type, given in the order of
    /// `inputs`, and copies out the outputs named in `requested` (all when nil), in
    /// that order. This is what a model server needs: raw tensors in, raw tensors out.
    /// - Throws: `InferenceError.badInput` when a feed's type or byte count does not fit
    ///   the model, `InferenceError.runtime` with ONNX Runtime's message otherwise.
    public func runRaw(_ feeds: [RawTensor], requested: [String]? = nil) throws -> [RawTensor] {
        guard feeds.count == inputs.count else {
            throw InferenceError.badInput("the model takes \(inputs.count) inputs, \(feeds.count) given")
        }
        let selected: [Int] =
            try requested?.map { name in
                guard let index = outputs.firstIndex(where: { $0.name == name }) else {
                    throw InferenceError.badInput("the model has no output '\(name)'")
                }
                return index
            } ?? Array(outputs.indices)
        let api = runtime.api.pointee
        var values: [OpaquePointer?] = []
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer {
            values.forEach { api.ReleaseValue!($0) }
            buffers.forEach { $0.deallocate() }
        }
        for (feed, info) in zip(feeds, inputs) {
            guard feed.type.rawValue == info.elementType, let size = feed.type.byteSize else {
                throw InferenceError.badInput("input \(info.name) has element type \(info.elementType), not \(feed.type)")
            }
            guard let count = RawTensor.elementCount(feed.shape), count * size == feed.bytes.count else {
                throw InferenceError.badInput("input \(info.name): shape \(feed.shape) does not match \(feed.bytes.count) bytes")
            }
            // ONNX Runtime reads the feed in place: it needs memory that outlives the call.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(feed.bytes.count, 1), alignment: 64)
            buffers.append(buffer)
            feed.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            var value: OpaquePointer?
            var shape = feed.shape.map(Int64.init)
            try runtime.check(
                api.CreateTensorWithDataAsOrtValue!(
                    memoryInfo, buffer.baseAddress, feed.bytes.count, &shape, shape.count,
                    ONNXTensorElementDataType(rawValue: feed.type.rawValue), &value))
            values.append(value)
        }

        var results = [OpaquePointer?](repeating: nil, count: selected.count)
        defer { results.forEach { if let value = $0 { api.ReleaseValue!(value) } } }
        let inputNamePointers = inputNames.map { UnsafePointer<CChar>($0) as UnsafePointer<CChar>? }
        let outputNamePointers = selected.map { UnsafePointer<CChar>(self.outputNames[$0]) as UnsafePointer<CChar>? }
        try runtime.check(
            api.Run!(
                session, nil, inputNamePointers, values, values.count, outputNamePointers, outputNamePointers.count,
                &results))
        return try zip(results, selected).map { value, index in try copy(of: value, name: outputs[index].name) }
    }

    private func copy(of value: OpaquePointer?, name: String) throws -> RawTensor {
        let api = runtime.api.pointee
        var info: OpaquePointer?
        try runtime.check(api.GetTensorTypeAndShape!(value, &info))
        defer { api.ReleaseTensorTypeAndShapeInfo!(info) }
        var elementType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try runtime.check(api.GetTensorElementType!(info, &elementType))
        guard let type = TensorElementType(rawValue: elementType.rawValue), let size = type.byteSize else {
            throw InferenceError.unsupportedTensorType(name: name, type: elementType.rawValue)
        }
        let shape = try Self.dimensions(runtime: runtime, info: info)
        let count = shape.reduce(1, *)
        guard count > 0 else { return RawTensor(name: name, type: type, shape: shape, bytes: []) }
        var data: UnsafeMutableRawPointer?
        try runtime.check(api.GetTensorMutableData!(value, &data))
        guard let data else { throw InferenceError.runtime("output \(name) has no data") }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: count * size))
        return RawTensor(name: name, type: type, shape: shape, bytes: bytes)
    }

    private func withBuffers<Result>(
        _ feeds: ArraySlice<Tensor>, _ collected: [(shape: [Int], data: UnsafeBufferPointer<Float>)] = [],
        _ body: ([(shape: [Int], data: UnsafeBufferPointer<Float>)]) throws -> Result
    ) throws -> Result {
        guard let first = feeds.first else { return try body(collected) }
        return try first.data.withUnsafeBufferPointer { buffer in
            try withBuffers(feeds.dropFirst(), collected + [(first.shape, buffer)], body)
        }
    }

    private func view(of value: OpaquePointer?, name: String) throws -> TensorView {
        let api = runtime.api.pointee
        var info: OpaquePointer?
        try runtime.check(api.GetTensorTypeAndShape!(value, &info))
        defer { api.ReleaseTensorTypeAndShapeInfo!(info) }
        var elementType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try runtime.check(api.GetTensorElementType!(info, &elementType))
        guard elementType == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT else {
            throw InferenceError.unsupportedTensorType(name: name, type: elementType.rawValue)
        }
        let shape = try Self.dimensions(runtime: runtime, info: info)
        var data: UnsafeMutableRawPointer?
        try runtime.check(api.GetTensorMutableData!(value, &data))
        let count = shape.reduce(1, *)
        let floats = data?.bindMemory(to: Float.self, capacity: count)
        return TensorView(name: name, shape: shape, data: UnsafeBufferPointer(start: floats, count: count))
    }

    private static func dimensions(runtime: ONNXRuntime, info: OpaquePointer?) throws -> [Int] {
        let api = runtime.api.pointee
        var count = 0
        try runtime.check(api.GetDimensionsCount!(info, &count))
        var dims = [Int64](repeating: 0, count: count)
        try runtime.check(api.GetDimensions!(info, &dims, count))
        return dims.map(Int.init)
    }

    private static func describe(runtime: ONNXRuntime, session: OpaquePointer, outputs: Bool) throws -> [TensorInfo] {
        let api = runtime.api.pointee
        var allocator: UnsafeMutablePointer<OrtAllocator>?
        try runtime.check(api.GetAllocatorWithDefaultOptions!(&allocator))
        var count = 0
        try runtime.check(outputs ? api.SessionGetOutputCount!(session, &count) : api.SessionGetInputCount!(session, &count))
        var infos: [TensorInfo] = []
        for index in 0..<count {
            var namePointer: UnsafeMutablePointer<CChar>?
            try runtime.check(
                outputs
                    ? api.SessionGetOutputName!(session, index, allocator, &namePointer)
                    : api.SessionGetInputName!(session, index, allocator, &namePointer))
            let name = namePointer.map { String(cString: $0) } ?? "?"
            try runtime.check(api.AllocatorFree!(allocator, namePointer))

            var typeInfo: OpaquePointer?
            try runtime.check(
                outputs
                    ? api.SessionGetOutputTypeInfo!(session, index, &typeInfo)
                    : api.SessionGetInputTypeInfo!(session, index, &typeInfo))
            defer { api.ReleaseTypeInfo!(typeInfo) }
            var tensorInfo: OpaquePointer?
            try runtime.check(api.CastTypeInfoToTensorInfo!(typeInfo, &tensorInfo))
            var elementType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
            try runtime.check(api.GetTensorElementType!(tensorInfo, &elementType))
            let shape = try dimensions(runtime: runtime, info: tensorInfo)
            infos.append(TensorInfo(name: name, elementType: elementType.rawValue, shape: shape))
        }
        return infos
    }

    private static func appendCUDA(runtime: ONNXRuntime, options: OpaquePointer?, device: Int) throws {
        let api = runtime.api.pointee
        var cudaOptions: OpaquePointer?
        try runtime.check(api.CreateCUDAProviderOptions!(&cudaOptions))
        defer { api.ReleaseCUDAProviderOptions!(cudaOptions) }
        let key = strdup("device_id"), value = strdup(String(device))
        defer {
            free(key)
            free(value)
        }
        var keys: [UnsafePointer<CChar>?] = [UnsafePointer(key)]
        var values: [UnsafePointer<CChar>?] = [UnsafePointer(value)]
        try runtime.check(api.UpdateCUDAProviderOptions!(cudaOptions, &keys, &values, 1))
        try runtime.check(api.SessionOptionsAppendExecutionProvider_CUDA_V2!(options, cudaOptions))
    }
}
