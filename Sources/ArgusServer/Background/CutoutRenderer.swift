import ArgusVision
import FluentKit
import Foundation

/// Removes an image's background as `CutoutSettings` say, in one slot of the inference
/// pool (decode, model, refinement and encoding together): the one place the route, the
/// upload task and the signed link's re-rendering go through.
struct CutoutRenderer: Sendable {
    let dependencies: ServerDependencies

    struct Rendered: Sendable {
        let image: RenderedImage
        let model: String
        /// The share of the image that is the object.
        let foregroundShare: Double
        let inferenceMs: Double
        let totalMs: Double
        let queueMs: Double
        let sourceWidth: Int
        let sourceHeight: Int
    }

    /// The limits background removal accepts (the seed's: 50×50 to 4096×4096 by default).
    var limits: ImageLimits { dependencies.configuration.background.limits }

    /// Renders `bytes`; the background image, when the settings name one, must be one of
    /// `userId`'s stored images.
    func render(
        _ bytes: [UInt8], settings: CutoutSettings, userId: UUID?, reservation: InferencePool.Reservation? = nil
    ) async throws -> Rendered {
        let remover = try remover(settings)
        let behind = try await backgroundBytes(settings, userId: userId)
        let limits = limits
        let imageLimits = dependencies.configuration.imageLimits
        let enqueued = ContinuousClock.now
        let rendered = try await dependencies.pool.run(reservation: reservation) { () throws -> Rendered in
            let start = ContinuousClock.now
            let image = try Image.decode(bytes, limits: limits)
            let backgroundImage = try behind.map { try Image.decode($0, limits: imageLimits) }
            let found = try remover.matte(image, options: settings.matteOptions)
            let output = try image.cutout(found.matte, options: settings.cutoutOptions(backgroundImage: backgroundImage))
            return Rendered(
                image: output, model: settings.model, foregroundShare: found.matte.foregroundShare,
                inferenceMs: found.timings.inference, totalMs: TaskRunner.milliseconds(since: start),
                queueMs: TaskRunner.milliseconds(enqueued, start), sourceWidth: image.width, sourceHeight: image.height)
        }
        dependencies.metrics.inferenceFinished(model: settings.model, milliseconds: rendered.inferenceMs)
        return rendered
    }

    /// `render` for a job or a link: no client to answer `503 busy`, so it waits its turn
    /// while the pool is full (20 ms doubling to 1 s).
    func renderWaiting(_ bytes: [UInt8], settings: CutoutSettings, userId: UUID?) async throws -> Rendered {
        try await TaskRunner.waitingForPool { try await render(bytes, settings: settings, userId: userId) }
    }

    /// A stored image's background removal: from the cache, or rendered and kept there.
    func stored(_ record: ImageRecord, settings: CutoutSettings) async throws -> (data: Data, rendered: Rendered?) {
        let imageId = try record.requireID()
        let cache = DerivedImages(directory: dependencies.images.cacheDirectory)
        if let data = cache.cutout(imageId: imageId, name: settings.cacheName) { return (data, nil) }
        let bytes = Array(try await dependencies.images.store.get(record.blobKey))
        let rendered = try await renderWaiting(bytes, settings: settings, userId: record.$user.id)
        let data = Data(rendered.image.bytes)
        cache.storeCutout(data, imageId: imageId, name: settings.cacheName)
        return (data, rendered)
    }

    /// The model, or `503 model_unavailable` naming the setup step.
    func remover(_ settings: CutoutSettings) throws -> BackgroundRemover {
        do {
            return try dependencies.background.remover(settings.backgroundModel)
        } catch ModelStoreError.notInstalled {
            let step = settings.backgroundModel == .u2net ? "U2NET=1 make setup" : "make setup"
            throw APIError(
                .serviceUnavailable, code: "model_unavailable",
                message: "the background-removal model \(settings.model) is not installed: run `\(step)`")
        }
    }

    private func backgroundBytes(_ settings: CutoutSettings, userId: UUID?) async throws -> [UInt8]? {
        guard let id = settings.bg_image_id else { return nil }
        guard let userId, let record = try await ImageRecord.find(id, on: dependencies.database.db), record.$user.id == userId
        else { throw APIError.badRequest("invalid_parameter", "bg_image_id is not one of your stored images") }
        return Array(try await dependencies.images.store.get(record.blobKey))
    }
}
