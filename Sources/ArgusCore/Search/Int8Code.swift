/// A vector coded as 8-bit integers times one scale (`value ≈ scale × code`), with the two
/// norms that bound how far a dot product computed from the codes can be from the true one:
/// for vectors `v` and `q`, `|v·q − v̂·q̂| ≤ ‖v̂‖·‖q − q̂‖ + ‖v − v̂‖·‖q‖`.
struct Int8Code: Sendable {
    /// The largest magnitude over 127: codes lie in -127...127.
    let scale: Float
    /// ‖v̂‖, the coded vector's norm, rounded up.
    let norm: Float
    /// ‖v − v̂‖, the coding error's norm, rounded up.
    let error: Float

    /// Codes `vector` into `codes` (as many). A value that is not finite codes as 0, and its
    /// error is then not finite either, so no bound built on it holds anything.
    static func encode(_ vector: UnsafeBufferPointer<Float>, into codes: UnsafeMutableBufferPointer<Int8>) -> Int8Code {
        let largest = vector.reduce(0) { max($0, Double(abs($1))) }
        let scale = Float(largest / 127)
        var coded = 0.0, missed = 0.0
        for (offset, value) in vector.enumerated() {
            var code = scale > 0 ? (Double(value) / Double(scale)).rounded() : 0
            code = code.isFinite ? min(127, max(-127, code)) : 0
            codes[offset] = Int8(code)
            let approximation = Double(scale) * code
            coded += approximation * approximation
            missed += (Double(value) - approximation) * (Double(value) - approximation)
        }
        return Int8Code(scale: scale, norm: roundedUp(coded.squareRoot()), error: roundedUp(missed.squareRoot()))
    }

    /// ‖vector‖, rounded up.
    static func norm(_ vector: UnsafeBufferPointer<Float>) -> Float {
        roundedUp(vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot())
    }

    /// Above `value` by more than the rounding to Float can take away.
    private static func roundedUp(_ value: Double) -> Float { Float(value * (1 + 1e-6)).nextUp }
}
