import ArgusServer
import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct APIDocsTests {

    /// `METHOD /path/{param}` for every operation of the document.
    static func documentedRoutes() throws -> Set<String> {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(ArgusApplication.openAPIDocument.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "options", "head"]
        return Set(paths.flatMap { path, item in item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
    }

    @Test func everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() async throws {
        let router = try await TestServer.withDependencies(try await TestServer.configuration()) {
            ArgusApplication.makeRouter($0)
        }
        // The compatibility APIs' catch-alls (`/v2/**`) only answer unknown paths in their shape.
        let served = Set(
            router.routes.filter { !$0.path.description.hasSuffix("**") }.map { route -> String in
                // Hummingbird writes parameters as ":name", OpenAPI as "{name}".
                let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false).map { part in
                    part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.joined(separator: "/")
                return "\(route.method.rawValue) \(path)"
            })
        let documented = try Self.documentedRoutes()
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented))")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served))")
        #expect(served.contains("POST /api/v1/detect"))
    }

    /// openapi-spec-validator (installed in the bench venv by `make test`) accepts the document.
    @Test func documentIsValidOpenAPI31() throws {
        let python = TestEnvironment.repoRoot.appendingPathComponent(".deps/venv-bench/bin/python")
        try #require(
            FileManager.default.isExecutableFile(atPath: python.path), "run scripts/setup-bench-venv.sh (make test does)")
        let file = try TestEnvironment.temporaryDirectory("openapi").appendingPathComponent("openapi.json")
        try Data(ArgusApplication.openAPIDocument.utf8).write(to: file)
        let process = Process()
        process.executableURL = python
        process.arguments = ["-m", "openapi_spec_validator", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(report)")
    }

    @Test func documentAndInteractivePageAreServed() async throws {
        try await TestServer.run { client, _ in
            let document = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(document.status == .ok)
            #expect(String(buffer: document.body) == ArgusApplication.openAPIDocument)
            let page = try await client.execute(uri: "/docs", method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("/docs/assets/swagger-ui-bundle.js"))
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            for asset in ["swagger-ui-bundle.js", "swagger-ui.css", "init.js"] {
                let response = try await client.execute(uri: "/docs/assets/\(asset)", method: .get)
                #expect(response.status == .ok, "\(asset)")
                #expect(response.body.readableBytes > 50, "\(asset)")
            }
            let missing = try await client.execute(uri: "/docs/assets/..%2Fsecrets", method: .get)
            #expect(missing.status == .notFound)
        }
    }
}
