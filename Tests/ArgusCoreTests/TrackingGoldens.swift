import Foundation

/// The goldens of Golden/tracking (see its README for the command that made them).
enum TrackingGoldens {
    struct AssignmentCase: Decodable {
        let kind: String
        let costs: [[Double]]
        let rows: [Int]
        let columns: [Int]
        let total: Double
    }

    struct KalmanStep: Decodable {
        let op: String
        let measurement: [Double]?
        let lost: Bool?
        let mean: [Double]
        let covariance: [Double]
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/tracking")
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: folder.appendingPathComponent(name)))
    }
}
