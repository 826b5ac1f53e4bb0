import ArgusCore
import ArgusVision
import Dispatch
import Foundation
import Hummingbird
import NIOCore

/// `POST /api/v1/detect`: one image in a multipart field `image`, detections out. Needs a
/// credential with the write scope unless ARGUS_ALLOW_ANONYMOUS is set.
struct DetectController {
    let dependencies: ServerDependencies
    var configuration: ServerConfiguration { dependencies.configuration }

    struct DetectResponse: ResponseEncodable {
        struct ImageSize: Codable {
            let width: Int
            let height: Int
        }
        struct Timings: Codable {
            /// Waiting for an inference slot.
            let queue: Double
            let decode: Double
            let preprocess: Double
            let inference: Double
            let postprocess: Double
            let total: Double
        }
        let model: String
        let image: ImageSize
        let detections: [DetectionRecord]
        let timings_ms: Timings
    }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post { request, context in try await detect(request, context: context) }
        return routes
    }

    func detect(_ request: Request, context: ArgusRequestContext) async throws -> DetectResponse {
        let identity = configuration.accounts.allowAnonymous ? context.identity : try context.requireIdentity(.write)
        let start = DispatchTime.now()
        let query = try DetectionQuery(
            parameters: try RequestParameters(request, allowed: DetectionQuery.names), defaultModel: configuration.defaultModel)
        let runner = TaskRunner(dependencies: dependencies)
        // Refused before the body is read: under overload a refusal must cost next to nothing.
        let reserved = try runner.reserve(for: [.detect])
        let upload = try await UploadedImage.read(from: request, field: "image", maxBytes: configuration.maxUploadBytes).bytes
        let detector = try Self.detector(query.model, in: dependencies.library)
        let options = try query.resolvingClasses(labels: detector.manifest.labels)
        let analysis = try await runner.analyse(upload, detect: (detector, options), circles: nil, reserved: reserved)
        // Signed-in callers' detections go to their history (the image itself is not kept).
        if let userId = identity?.userId {
            _ = try await dependencies.database.db.transaction { db in
                try await runner.record(analysis, userId: userId, imageId: nil, on: db)
            }
        }
        let image = analysis.image
        let decodeMs = analysis.decodeMs
        guard let output = analysis.detection?.output else {
            throw APIError(.internalServerError, code: "internal", message: "no detection")
        }
        let total = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
        return DetectResponse(
            model: detector.manifest.id, image: .init(width: image.width, height: image.height),
            detections: output.detections.map(DetectionRecord.init),
            timings_ms: .init(
                queue: analysis.queueMs, decode: decodeMs, preprocess: output.timings.preprocess,
                inference: output.timings.inference,
                postprocess: output.timings.postprocess, total: total))
    }

    /// The model's detector; an unknown or missing model answers by `ModelStoreError`'s
    /// own mapping.
    static func detector(_ model: String, in library: DetectorLibrary) throws -> Detector {
        do {
            return try library.detector(for: model)
        } catch let error as ModelStoreError {
            throw error
        } catch {
            // The file exists but ONNX Runtime or its decoder cannot use it: a server-side fault.
            throw APIError(.internalServerError, code: "model_error", message: "model \(model) cannot be loaded: \(error)")
        }
    }
}
