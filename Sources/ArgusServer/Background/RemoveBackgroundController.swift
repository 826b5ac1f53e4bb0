import ArgusCore
import ArgusVision
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPField.Name {
    static let foregroundShare = HTTPField.Name("X-Foreground-Share")!
    static let processingTime = HTTPField.Name("X-Processing-Ms")!
}

/// `POST /api/v1/remove-background`: one image in the multipart field `image`, the
/// options in the query or as form fields. Up to `ARGUS_BG_SYNC_MAX_PIXELS` the answer is
/// the result itself (PNG or WebP with alpha, a grey matte, or the object over a colour or
/// another image); a larger image is stored and answered `202` as an upload with a
/// `remove-background` task, whose result link `GET /api/v1/tasks/{id}` gives.
struct RemoveBackgroundController {
    let dependencies: ServerDependencies
    var configuration: ServerConfiguration { dependencies.configuration }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post { request, context in try await remove(request, context: context) }
        return routes
    }

    func remove(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        let identity = configuration.accounts.allowAnonymous ? context.identity : try context.requireIdentity(.write)
        let names = CutoutSettings.names(model: "model")
        var parameters = try RequestParameters(request, allowed: names)
        // Checked (and the model found) before the body is read, and a place in the pool
        // taken, so that a refusal costs nothing.
        let renderer = CutoutRenderer(dependencies: dependencies)
        _ = try renderer.remover(try CutoutSettings(parameters: parameters))
        var reservation: InferencePool.Reservation? = try dependencies.pool.reserve()
        let upload = try await UploadedImage.read(from: request, field: "image", maxBytes: configuration.maxUploadBytes)
        try parameters.merge(formFields: upload.fields, allowed: names)
        let settings = try CutoutSettings(parameters: parameters)
        let header = try ImageHeader.read(upload.bytes)
        let upright = header.orientedSize
        try renderer.limits.check(width: upright.width, height: upright.height)
        if upright.width * upright.height > configuration.background.syncMaxPixels {
            reservation = nil  // the task waits for its own turn
            guard let identity else {
                throw APIError(
                    .unauthorized, code: "unauthorized",
                    message:
                        "images over \(configuration.background.syncMaxPixels) pixels are processed as a task: sign in or send an API key"
                )
            }
            return try await UploadsController(dependencies: dependencies).accept(
                upload, userId: identity.userId, tasks: [.removeBackground],
                detector: DetectorSettings(model: configuration.defaultModel, options: DetectionOptions()), circles: nil,
                cutout: settings)
        }
        let rendered = try await renderer.render(
            upload.bytes, settings: settings, userId: identity?.userId, reservation: reservation)
        if let userId = identity?.userId {
            _ = try await TaskRunner(dependencies: dependencies).record(
                task: .removeBackground, model: rendered.model, userId: userId, imageId: nil, width: rendered.sourceWidth,
                height: rendered.sourceHeight, inferenceMs: rendered.inferenceMs, totalMs: rendered.totalMs,
                on: dependencies.database.db
            ) { _ in [] }
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: rendered.image.format.mediaType,
                .foregroundShare: String(format: "%.4f", rendered.foregroundShare),
                .processingTime: String(format: "%.1f", rendered.totalMs),
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: rendered.image.bytes)))
    }
}
