import ArgusCore
import ArgusVision
import Dispatch
import Foundation
import Hummingbird
import NIOCore

/// `POST /api/v1/detect`: one image in a multipart field `image`, detections out. Needs a
/// credential with the write scope unless ARGUS_ALLOW_ANONYMOUS is set.
struct DetectController {
    let library: DetectorLibrary
    let pool: InferencePool
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    struct DetectResponse: ResponseEncodable {
        struct ImageSize: Codable {
            let width: Int
            let height: Int
        }
        struct Timings: Codable {
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

    func register(on router: Router<ArgusRequestContext>) {
        router.post("/api/v1/detect") { request, context in try await detect(request, context: context) }
    }

    func detect(_ request: Request, context: ArgusRequestContext) async throws -> DetectResponse {
        if !configuration.accounts.allowAnonymous { _ = try context.requireIdentity(.write) }
        let start = DispatchTime.now()
        let query = try DetectionQuery(parameters: Self.parameters(of: request), defaultModel: configuration.defaultModel)
        let upload = try await UploadedImage.read(from: request, field: "image", maxBytes: configuration.maxUploadBytes)

        let detector: Detector
        do {
            detector = try library.detector(for: query.model)
        } catch let error as ModelStoreError {
            throw Self.apiError(for: error)
        } catch {
            // The file exists but ONNX Runtime or its decoder cannot use it: a server-side fault.
            throw APIError(.internalServerError, code: "model_error", message: "model \(query.model) cannot be loaded: \(error)")
        }
        let options = try query.resolvingClasses(labels: detector.manifest.labels)
        let limits = configuration.imageLimits

        let (image, output, decodeMs) = try await runInPool {
            let decodeStart = DispatchTime.now()
            let image = try upload.withUnsafeReadableBytes { try Image.decode($0, limits: limits) }
            let decoded = DispatchTime.now()
            let output = try detector.detect(image, options: options)
            return (ImageSize(image), output, Double(decoded.uptimeNanoseconds - decodeStart.uptimeNanoseconds) / 1e6)
        }
        let total = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
        metrics.inferenceFinished(model: detector.manifest.id, milliseconds: output.timings.inference)
        return DetectResponse(
            model: detector.manifest.id, image: .init(width: image.width, height: image.height),
            detections: output.detections.map(DetectionRecord.init),
            timings_ms: .init(
                decode: decodeMs, preprocess: output.timings.preprocess, inference: output.timings.inference,
                postprocess: output.timings.postprocess, total: total))
    }

    private struct ImageSize: Sendable {
        let width: Int
        let height: Int
        init(_ image: Image) {
            width = image.width
            height = image.height
        }
    }

    /// Runs CPU work in the bounded pool, mapping its refusals and image errors to API errors.
    private func runInPool<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        do {
            return try await pool.run(work)
        } catch InferencePoolError.saturated {
            throw APIError(
                .serviceUnavailable, code: "busy", message: "all inference slots are busy; retry shortly",
                headers: [.retryAfter: "1"])
        } catch let error as ImageError {
            throw Self.apiError(for: error)
        } catch let error as InferenceError {
            throw APIError(.internalServerError, code: "inference_failed", message: "\(error)")
        } catch let error as DetectorError {
            throw APIError(.internalServerError, code: "model_error", message: "\(error)")
        }
    }

    static func parameters(of request: Request) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { result[String(key)] = String(value) }
        return result
    }

    static func apiError(for error: ImageError) -> APIError {
        switch error {
        case .empty: .badRequest("empty_file", error.description)
        case .unsupportedFormat: APIError(.unsupportedMediaType, code: "unsupported_media_type", message: error.description)
        case .tooLarge: APIError(.contentTooLarge, code: "image_too_large", message: error.description)
        case .tooSmall: APIError(.unprocessableContent, code: "image_too_small", message: error.description)
        case .truncated, .corrupt: APIError(.unprocessableContent, code: "invalid_image", message: error.description)
        }
    }

    static func apiError(for error: ModelStoreError) -> APIError {
        switch error {
        case .unknownModel: APIError(.badRequest, code: "unknown_model", message: error.description)
        case .notInstalled: APIError(.serviceUnavailable, code: "model_unavailable", message: error.description)
        default: APIError(.internalServerError, code: "model_error", message: error.description)
        }
    }
}
