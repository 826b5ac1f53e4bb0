/// The constant-velocity Kalman filter ByteTrack (and SORT before it) runs on a box: the
/// state is (centre x, centre y, aspect ratio w/h, height) and their velocities, one frame
/// per step. Noise scales with the box height, so near and far objects move alike.
public struct BoxKalmanFilter: Sendable {
    /// A track's estimate: the 8-vector mean and its 8×8 covariance (row-major).
    public struct Estimate: Sendable, Hashable {
        public var mean: [Double]
        public var covariance: [Double]

        public init(mean: [Double], covariance: [Double]) {
            self.mean = mean
            self.covariance = covariance
        }

        /// The box the mean describes.
        public var box: BoundingBox {
            BoxKalmanFilter.box(fromXYAH: Array(mean[0..<4]))
        }
    }

    // ByteTrack's published weights: position noise 1/20 and velocity noise 1/160 of the height.
    static let positionWeight = 1.0 / 20
    static let velocityWeight = 1.0 / 160

    /// x' = F x: each coordinate moves by its velocity.
    private static let transition: Matrix = {
        var matrix = Matrix.identity(8)
        for index in 0..<4 { matrix[index, index + 4] = 1 }
        return matrix
    }()

    public init() {}

    /// (centre x, centre y, width / height, height) of a box.
    public static func xyah(_ box: BoundingBox) -> [Double] {
        let width = Double(box.x2 - box.x1)
        let height = Double(box.y2 - box.y1)
        return [Double(box.x1) + width / 2, Double(box.y1) + height / 2, width / height, height]
    }

    static func box(fromXYAH state: [Double]) -> BoundingBox {
        let width = state[2] * state[3]
        let height = state[3]
        return BoundingBox(
            x1: Float(state[0] - width / 2), y1: Float(state[1] - height / 2),
            x2: Float(state[0] + width / 2), y2: Float(state[1] + height / 2))
    }

    /// A new track's estimate from its first measurement: unknown velocity, wide spread.
    public func initiate(_ measurement: [Double]) -> Estimate {
        let height = measurement[3]
        let deviations = [
            2 * Self.positionWeight * height, 2 * Self.positionWeight * height, 1e-2, 2 * Self.positionWeight * height,
            10 * Self.velocityWeight * height, 10 * Self.velocityWeight * height, 1e-5,
            10 * Self.velocityWeight * height,
        ]
        return Estimate(
            mean: measurement + [0, 0, 0, 0],
            covariance: Matrix.diagonal(deviations.map { $0 * $0 }).values)
    }

    /// One frame ahead.
    public func predict(_ estimate: Estimate) -> Estimate {
        let height = estimate.mean[3]
        let deviations = [
            Self.positionWeight * height, Self.positionWeight * height, 1e-2, Self.positionWeight * height,
            Self.velocityWeight * height, Self.velocityWeight * height, 1e-5, Self.velocityWeight * height,
        ]
        let mean = Self.transition * Matrix(column: estimate.mean)
        let covariance = Matrix(rows: 8, columns: 8, values: estimate.covariance)
        let predicted =
            Self.transition * covariance * Self.transition.transposed + Matrix.diagonal(deviations.map { $0 * $0 })
        return Estimate(mean: mean.values, covariance: predicted.values)
    }

    /// The estimate corrected by a measurement (xyah). An estimate whose innovation
    /// covariance is not positive definite (degenerate boxes) is replaced by the measurement.
    public func update(_ estimate: Estimate, measurement: [Double]) -> Estimate {
        let height = estimate.mean[3]
        let measurementDeviations = [
            Self.positionWeight * height, Self.positionWeight * height, 1e-1, Self.positionWeight * height,
        ]
        let covariance = Matrix(rows: 8, columns: 8, values: estimate.covariance)
        // Projected into measurement space: H x is the first four entries, H P Hᵀ the top-left block.
        let innovationCovariance =
            covariance.block(0..<4, 0..<4) + Matrix.diagonal(measurementDeviations.map { $0 * $0 })
        let crossCovariance = covariance.block(0..<8, 0..<4)  // P Hᵀ
        // K = P Hᵀ S⁻¹, solved as S Kᵀ = (P Hᵀ)ᵀ since S is symmetric.
        guard let gainTransposed = innovationCovariance.choleskySolve(crossCovariance.transposed) else {
            return initiate(measurement)
        }
        let gain = gainTransposed.transposed
        let innovation = Matrix(column: (0..<4).map { measurement[$0] - estimate.mean[$0] })
        let mean = Matrix(column: estimate.mean) + gain * innovation
        let corrected = covariance - gain * innovationCovariance * gainTransposed
        return Estimate(mean: mean.values, covariance: corrected.values)
    }
}
