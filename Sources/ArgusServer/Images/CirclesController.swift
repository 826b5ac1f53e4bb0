import ArgusCore
import ArgusVision
import Foundation
import Hummingbird

/// `POST /api/v1/circles`: circles in one uploaded image (multipart field `image`), by the
/// configured detector (in process, or a model server). The image is not kept; the run
/// goes to the caller's history.
struct CirclesController {
    let dependencies: ServerDependencies

    func register(on router: Router<ArgusRequestContext>) {
        router.post("/api/v1/circles") { request, context in try await circles(request, context: context) }
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
        let parameters = DetectController.parameters(of: request)
        if let unknown = parameters.keys.sorted().first(where: { !CircleQuery.names.contains($0) }) {
            throw APIError.badRequest("invalid_parameter", "unknown query parameter '\(unknown)'")
        }
        let options = try CircleQuery.options(from: parameters)
        let upload = try await UploadedImage.read(from: request, field: "image", maxBytes: dependencies.configuration.maxUploadBytes)
        let limits = dependencies.configuration.imageLimits
        let bytes = upload.bytes
        let image = try await InferenceErrors.mapped {
            try await dependencies.pool.run { try bytes.withUnsafeReadableBytes { try Image.decode($0, limits: limits) } }
        }
        let found = try await TaskRunner(dependencies: dependencies).circles(
            image, options: options, userId: identity.userId, imageId: nil
        ).circles
        let body = CirclesResponse(
            detector: dependencies.images.circles.name, image: .init(width: image.width, height: image.height),
            circles: found.map {
                .init(bbox: [$0.box.x1, $0.box.y1, $0.box.x2, $0.box.y2], centroid: [$0.centerX, $0.centerY], radius: $0.radius, confidence: $0.confidence)
            },
            timings_ms: ["total": TaskRunner.milliseconds(since: start)])
        return try JSONResponse.make(body)
    }
}
