// A bare Hummingbird server with Argus's two cheapest routes and no middleware: the
// baseline bench/server_cost.py measures Argus's own cost against (benchmarks only).
import Foundation
import Hummingbird

let arguments = CommandLine.arguments
let port = arguments.firstIndex(of: "--port").flatMap { Int(arguments[$0 + 1]) } ?? 8081

struct User: ResponseEncodable {
    let id: String
    let email: String
    let name: String
    let is_admin: Bool
}

let router = Router()
router.get("/health/live") { _, _ in ["status": "ok"] }
router.get("/api/v1/users/me") { _, _ in
    User(id: "6f1c2b9e-0d3a-4c52-9a8e-2f4d5b6c7e80", email: "bench@example.com", name: "Bench", is_admin: false)
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
