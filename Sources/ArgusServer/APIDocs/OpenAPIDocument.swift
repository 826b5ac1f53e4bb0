import Foundation
import Yams

/// The OpenAPI 3.1 description of every route, written as data in `openapi.yaml` (shared
/// components and `$ref`s; compiled into the binary) and served as JSON. Tests check it
/// against the router in both directions, validate every response the HTTP suite
/// receives against it, and run schemathesis against the live server.
enum OpenAPIDocument {
    /// The YAML source, as written.
    static var yaml: String { String(decoding: PackageResources.openapi_yaml, as: UTF8.self) }

    /// The document as JSON, made once from the YAML.
    static let json: String = {
        do {
            guard let object = try Yams.load(yaml: yaml) else { return "{}" }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        } catch {
            // A broken document is caught by the test suite long before it ships.
            preconditionFailure("openapi.yaml is not valid YAML: \(error)")
        }
    }()
}
