/// The background-removal models setup can install (scripts/setup-background-model.sh).
public enum BackgroundModel: String, Sendable, CaseIterable {
    /// U²-Net-p, 4.6 MB: the default, fast on a CPU.
    case u2netp
    /// U²-Net, 176 MB: finer masks at about ten times the cost; installed with `U2NET=1 make setup`.
    case u2net

    public static let `default` = BackgroundModel.u2netp

    public var file: String { rawValue + ".onnx" }

    /// The sha256 of the file setup installs.
    public var sha256: String {
        switch self {
        case .u2netp: "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8"
        case .u2net: "8d10d2f3bb75ae3b6d527c77944fc5e7dcd94b29809d47a739a7a728a912b491"
        }
    }

    /// The side of the square the model sees.
    public var inputSide: Int { 320 }
}
