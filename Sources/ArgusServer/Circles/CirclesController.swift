import ArgusCore
import ArgusVision
import Foundation
import Hummingbird

/// `POST /api/v1/circles`: circles in one uploaded image (multipart field `image`), by the
/// configured detector (in process, or a model server). The image is not kept; the run
/// goes to the caller's history.
struct CirclesController {
    let dependencies: ServerDependencies

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post { request, context in try await circles(request, context: context) }
        return routes
    }

    struct CirclesResponse: Codable {
        struct Size: Codable {
            let width: Int
            let height: Int
        }
        struct Circle: Codable {
            let bbox: [Float]
            let centroid: [Float]
            let radius: Float
            let confidence: Float
        }
        let detector: String
        let image: Size
        let circles: [Circle]
        let timings_ms: [String: Double]
    }

    func circles(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity(.write)
        let start = ContinuousClock.now
        let parameters = try RequestParameters(request, allowed: CircleQuery.names)
        let options = try CircleQuery.options(from: parameters)
        let runner = TaskRunner(dependencies: dependencies)
        let reserved = try runner.reserve(for: [.circles])
        let upload = try await UploadedImage.read(
            from: request, field: "image", maxBytes: dependencies.configuration.maxUploadBytes)
        let analysis = try await runner.analyse(upload.bytes, detect: nil, circles: options, reserved: reserved)
        _ = try await dependencies.database.db.transaction { db in
            try await runner.record(analysis, userId: identity.userId, imageId: nil, on: db)
        }
        let image = analysis.image
        let found = analysis.circles?.found ?? []
        let body = CirclesResponse(
            detector: dependencies.images.circles.name, image: .init(width: image.width, height: image.height),
            circles: found.map {
                .init(
                    bbox: [$0.box.x1, $0.box.y1, $0.box.x2, $0.box.y2], centroid: [$0.centerX, $0.centerY], radius: $0.radius,
                    confidence: $0.confidence)
            },
            timings_ms: ["total": TaskRunner.milliseconds(since: start)])
        return try JSONResponse.make(body)
    }
}
