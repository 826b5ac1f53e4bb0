import ArgusCore
import Testing

struct BoxKalmanFilterTests {
    @Test func followsSupervisionsByteTrackFilterStepByStep() throws {
        let sequences = try TrackingGoldens.load("kalman.json", as: [[TrackingGoldens.KalmanStep]].self)
        #expect(sequences.count == 4)
        let filter = BoxKalmanFilter()
        for (number, steps) in sequences.enumerated() {
            var estimate: BoxKalmanFilter.Estimate?
            for (index, step) in steps.enumerated() {
                switch step.op {
                case "initiate":
                    estimate = filter.initiate(try #require(step.measurement))
                case "predict":
                    var current = try #require(estimate)
                    if step.lost == true { current.mean[7] = 0 }
                    estimate = filter.predict(current)
                default:
                    estimate = filter.update(try #require(estimate), measurement: try #require(step.measurement))
                }
                let result = try #require(estimate)
                #expect(close(result.mean, step.mean), "sequence \(number) step \(index) mean")
                #expect(close(result.covariance, step.covariance), "sequence \(number) step \(index) covariance")
            }
        }
    }

    @Test func boxRoundTripsThroughTheState() {
        let box = BoundingBox(x1: 10, y1: 20, x2: 50, y2: 120)
        let estimate = BoxKalmanFilter().initiate(BoxKalmanFilter.xyah(box))
        #expect(estimate.box == box)
        #expect(BoxKalmanFilter.xyah(box) == [30, 70, 0.4, 100])
    }

    @Test func aConstantVelocityIsLearned() {
        let filter = BoxKalmanFilter()
        var estimate = filter.initiate(BoxKalmanFilter.xyah(BoundingBox(x1: 0, y1: 0, x2: 20, y2: 40)))
        for step in 1...30 {
            estimate = filter.predict(estimate)
            let x = Float(step * 5)
            estimate = filter.update(
                estimate, measurement: BoxKalmanFilter.xyah(BoundingBox(x1: x, y1: 0, x2: x + 20, y2: 40)))
        }
        let predicted = filter.predict(estimate).box
        #expect(abs(predicted.x1 - 155) < 0.5)
        #expect(abs(estimate.mean[4] - 5) < 0.1)
    }

    private func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }
    }
}
