import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /openapi.json`, and the interactive page `GET /docs` built from Swagger UI's
/// static files, which setup installs in `.deps/swagger-ui` (ARGUS_DOCS_ASSETS_DIR).
struct DocsController {
    let assetsDirectory: String

    /// The page's own scripts and styles only: no inline script, nothing from elsewhere.
    static let pagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

    static let contentTypes = [
        "swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
        "favicon-32x32.png": "image/png",
    ]

    static let initializer = """
        window.addEventListener("load", function () {
          window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
        });
        """

    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Argus API</title>
          <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
          <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="/docs/assets/swagger-ui-bundle.js"></script>
          <script src="/docs/assets/init.js"></script>
        </body>
        </html>
        """

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        routes.get("/docs") { _, _ in
            Self.respond(ByteBuffer(string: Self.page), type: "text/html; charset=utf-8")
        }
        routes.get("/docs/assets/:file") { _, context in
            let name = try context.parameters.require("file")
            if name == "init.js" {
                return Self.respond(ByteBuffer(string: Self.initializer), type: "text/javascript; charset=utf-8")
            }
            guard let type = Self.contentTypes[name] else {
                throw APIError(.notFound, code: "not_found", message: "no documentation asset '\(name)'")
            }
            guard let data = FileManager.default.contents(atPath: assetsDirectory + "/" + name) else {
                throw APIError(
                    .serviceUnavailable, code: "docs_unavailable",
                    message: "Swagger UI is not installed in \(assetsDirectory); run make setup")
            }
            return Self.respond(ByteBuffer(bytes: data), type: type)
        }
        return routes
    }

    private static func respond(_ body: ByteBuffer, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, HTTPField.Name("Content-Security-Policy")!: pagePolicy, .cacheControl: "public, max-age=3600",
            ],
            body: .init(byteBuffer: body))
    }
}
