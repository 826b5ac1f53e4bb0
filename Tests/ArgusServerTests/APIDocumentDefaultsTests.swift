import ArgusCore
import ArgusVision
import Foundation
import Testing

@testable import ArgusServer

/// The defaults and ranges the API document states are the ones the code applies: the
/// document is data, so this is where a changed constant is caught.
@Suite struct APIDocumentDefaultsTests {
    /// `(method path, parameter)` → the parameter's resolved schema.
    static func parameters() throws -> [String: [String: Any]] {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(ArgusApplication.openAPIDocument.utf8)) as? [String: Any])
        let components = (document["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]] ?? [:]
        func resolve(_ parameter: [String: Any]) -> [String: Any] {
            guard let ref = parameter["$ref"] as? String else { return parameter }
            return components[String(ref.split(separator: "/").last ?? "")] ?? [:]
        }
        var result: [String: [String: Any]] = [:]
        for (path, item) in try #require(document["paths"] as? [String: [String: Any]]) {
            let shared = (item["parameters"] as? [[String: Any]] ?? []).map(resolve)
            for (method, operation) in item {
                guard let operation = operation as? [String: Any] else { continue }
                for parameter in shared + (operation["parameters"] as? [[String: Any]] ?? []).map(resolve) {
                    guard let name = parameter["name"] as? String else { continue }
                    result["\(method.uppercased()) \(path) \(name)"] = parameter["schema"] as? [String: Any] ?? [:]
                }
            }
        }
        return result
    }

    struct Expectation: Sendable, CustomStringConvertible {
        let key: String
        var defaultValue: Double?
        var minimum: Double?
        var maximum: Double?
        var description: String { key }
    }

    static let options = DetectionOptions()
    static let expectations: [Expectation] = {
        var list: [Expectation] = []
        for route in ["POST /api/v1/detect", "POST /api/v1/images"] {
            list += [
                Expectation(key: "\(route) conf", defaultValue: Double(options.confidenceThreshold), minimum: 0, maximum: 1),
                Expectation(key: "\(route) iou", defaultValue: Double(options.iouThreshold), minimum: 0, maximum: 1),
                Expectation(
                    key: "\(route) max_det", defaultValue: Double(options.maxDetections), minimum: 1,
                    maximum: Double(DetectionQuery.maxDetections)),
            ]
        }
        for route in ["GET /api/v1/images", "GET /api/v1/detect/history"] {
            list.append(
                Expectation(
                    key: "\(route) limit", defaultValue: Double(PageSize.default), minimum: Double(PageSize.allowed.lowerBound),
                    maximum: Double(PageSize.allowed.upperBound)))
        }
        list += [
            Expectation(
                key: "GET /api/v1/admin/users limit", defaultValue: Double(AdminController.defaultLimit),
                minimum: Double(PageSize.allowed.lowerBound), maximum: Double(PageSize.allowed.upperBound)),
            Expectation(
                key: "GET /api/v1/admin/users offset", defaultValue: 0, minimum: 0, maximum: Double(AdminController.maxOffset)),
            Expectation(
                key: "GET /api/v1/images/{id}/thumbnail size", defaultValue: Double(DerivedImageRenderer.defaultThumbnailSize),
                minimum: Double(DerivedImageRenderer.thumbnailSizes.lowerBound),
                maximum: Double(DerivedImageRenderer.thumbnailSizes.upperBound)),
            Expectation(
                key: "GET /api/v1/stats days", defaultValue: Double(HistoryController.defaultDays),
                minimum: Double(HistoryController.days.lowerBound), maximum: Double(HistoryController.days.upperBound)),
        ]
        return list
    }()

    @Test(arguments: expectations) func documentedDefaultAndRangeAreTheCodes(_ expected: Expectation) throws {
        let schema = try #require(try Self.parameters()[expected.key], "\(expected.key) is not documented")
        // Compared as the code's 32-bit thresholds: 0.45 in the document is the code's Float(0.45).
        func value(_ name: String) -> Float? { (schema[name] as? NSNumber)?.floatValue }
        #expect(value("default") == expected.defaultValue.map(Float.init), "default of \(expected.key)")
        #expect(value("minimum") == expected.minimum.map(Float.init), "minimum of \(expected.key)")
        #expect(value("maximum") == expected.maximum.map(Float.init), "maximum of \(expected.key)")
    }

    @Test func documentedDefaultModelIsTheCodes() throws {
        for route in ["POST /api/v1/detect", "POST /api/v1/images"] {
            let schema = try #require(try Self.parameters()["\(route) model"])
            #expect(schema["default"] as? String == ModelCatalogue.defaultDetector)
        }
        let export = try #require(try Self.parameters()["GET /api/v1/exports/detections format"])
        #expect(Set(export["enum"] as? [String] ?? []) == Set(ExportController.Format.allCases.map(\.rawValue)))
    }
}
