/// The parsers that read what a client sends, each as a fuzz target: libFuzzer runs them
/// under `make fuzz` (and briefly in `make test`), and the corpus replay test runs every
/// checked-in input through them in the ordinary build.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case multipart
    case imageHeader = "image-header"
    case metadata
    case tokens
    case json
    case inference
    case video

    /// Runs one input. Malformed input is expected and ends quietly in the parser's own
    /// error; a trap is a crash the fuzzer reports, and a broken invariant is thrown.
    /// - Throws: `FuzzFailure` when a property that must hold for every input does not.
    public func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        switch self {
        case .multipart: try MultipartFuzzing.run(bytes)
        case .imageHeader: try ImageFuzzing.header(bytes)
        case .metadata: try ImageFuzzing.metadata(bytes)
        case .tokens: try TokenFuzzing.run(bytes)
        case .json: JSONBodyFuzzing.run(bytes)
        case .inference: try InferenceRequestFuzzing.run(bytes)
        case .video: try VideoInputFuzzing.run(bytes)
        }
    }
}

/// A property every input must keep, broken by this one.
public struct FuzzFailure: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
