import ArgusCore
import ArgusVision
import Dispatch
import Hummingbird

/// The DeepStack / CodeProject.AI vision API under `/v1`, for the NVRs and integrations
/// that speak it (Blue Iris, Agent DVR, Frigate's DeepStack detector, Home Assistant):
/// multipart `image` in, `{"success": true, "predictions": [...]}` out, failures as
/// `{"success": false, "error", "code"}` with that status.
struct DeepStackController {
    let dependencies: ServerDependencies
    var configuration: ServerConfiguration { dependencies.configuration }

    /// DeepStack's default `min_confidence`.
    static let defaultConfidence = 0.45
    /// `min_confidence=0` asks for everything; this floor keeps it from meaning every
    /// candidate box (DeepStack itself hung on 0, HASS-Deepstack-object #177).
    static let confidenceFloor: Float = 0.001

    /// DeepStack's shape of a failure.
    static let errorShape = ErrorShapeMiddleware { failure in
        "{\"success\":false,\"error\":\(JSONCoding.quoted(failure.message)),\"code\":\(failure.status.code)}"
    }

    struct Prediction: Codable {
        let label: String
        let confidence: Float
        let x_min: Int
        let y_min: Int
        let x_max: Int
        let y_max: Int
    }

    struct DetectionAnswer: ResponseEncodable {
        let success: Bool
        let predictions: [Prediction]
        let count: Int
        let inferenceMs: Int
        let processMs: Int
        let code: Int
    }

    struct FacePrediction: Codable {
        let confidence: Float
        let x_min: Int
        let y_min: Int
        let x_max: Int
        let y_max: Int
    }

    struct FaceAnswer: ResponseEncodable {
        let success: Bool
        let predictions: [FacePrediction]
        let count: Int
        let inferenceMs: Int
        let processMs: Int
        let code: Int
    }

    struct ModelList: ResponseEncodable {
        let success: Bool
        let models: [String]
        let code: Int
    }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post("vision/detection") { request, context in
            try await detect(request, context: context, model: configuration.defaultModel)
        }
        // CodeProject.AI's model list is a POST; a GET is answered too.
        routes.post("vision/custom/list") { _, context in try await modelList(context) }
        routes.get("vision/custom/list") { _, context in try await modelList(context) }
        routes.post("vision/custom/:model") { request, context in
            try await detect(request, context: context, model: try context.parameters.require("model"))
        }
        routes.post("vision/face") { request, context in try await detectFaces(request, context: context) }
        for path in [
            "vision/face/register", "vision/face/recognize", "vision/face/list", "vision/face/delete", "vision/face/match",
        ] {
            routes.post(RouterPath(path)) { _, _ -> Response in
                throw APIError.notFound("face recognition is not available in this version of Argus (see docs/compatibility.md)")
            }
        }
        routes.post("image/removebackground") { _, _ -> Response in
            throw APIError.notFound("background removal is not available in this version of Argus (see docs/compatibility.md)")
        }
        routes.on("**", method: .post) { request, _ -> Response in throw unknownRoute(request) }
        routes.on("**", method: .get) { request, _ -> Response in throw unknownRoute(request) }
        return routes
    }

    func detect(_ request: Request, context: ArgusRequestContext, model: String) async throws -> DetectionAnswer {
        let start = DispatchTime.now()
        let detector: Detector
        do {
            detector = try DetectController.detector(model, in: dependencies.library)
        } catch let error as ModelStoreError {
            // The model is part of the path here: an unknown one is a route that does not exist.
            guard case .unknownModel = error else { throw error }
            throw APIError.notFound(error.description)
        }
        let runner = TaskRunner(dependencies: dependencies)
        // Refused before the body is read, as for the native API.
        let reserved = try runner.reserve(for: [.detect])
        let upload = try await UploadedImage.read(from: request, field: "image", maxBytes: configuration.maxUploadBytes)
        let identity = try await caller(context, apiKey: upload.fields["api_key"], scope: .write)
        let options = DetectionOptions(confidenceThreshold: try Self.confidence(upload.fields["min_confidence"]))
        let analysis = try await runner.analyse(upload.bytes, detect: (detector, options), circles: nil, reserved: reserved)
        guard let output = analysis.detection?.output else {
            throw APIError(.internalServerError, code: "internal", message: "no detection")
        }
        // Recorded in the caller's history like a native detection.
        if let userId = identity?.userId {
            _ = try await dependencies.database.db.transaction { db in
                try await runner.record(analysis, userId: userId, imageId: nil, on: db)
            }
        }
        let width = analysis.image.width
        let height = analysis.image.height
        let predictions = output.detections.map { detection in
            Prediction(
                label: detection.label, confidence: detection.confidence, x_min: Self.pixel(detection.box.x1, width),
                y_min: Self.pixel(detection.box.y1, height), x_max: Self.pixel(detection.box.x2, width),
                y_max: Self.pixel(detection.box.y2, height))
        }
        let processMs = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
        return DetectionAnswer(
            success: true, predictions: predictions, count: predictions.count,
            inferenceMs: Int(output.timings.inference.rounded()), processMs: Int(processMs.rounded()), code: 200)
    }

    /// DeepStack's face detection: the faces as predictions without a label.
    func detectFaces(_ request: Request, context: ArgusRequestContext) async throws -> FaceAnswer {
        let start = DispatchTime.now()
        let detector = try dependencies.faces.detector()
        let reservation = try dependencies.pool.reserve()
        let upload = try await UploadedImage.read(from: request, field: "image", maxBytes: configuration.maxUploadBytes)
        _ = try await caller(context, apiKey: upload.fields["api_key"], scope: .write)
        let options = FaceOptions(
            confidenceThreshold: try Self.confidence(
                upload.fields["min_confidence"], default: Double(FaceOptions.defaultConfidence)))
        let limits = configuration.imageLimits
        let bytes = upload.bytes
        let (width, height, output) = try await dependencies.pool.run(reservation: reservation) {
            let image = try Image.decode(bytes, limits: limits)
            return (image.width, image.height, try detector.detect(image, options: options))
        }
        let predictions = output.faces.map { face in
            FacePrediction(
                confidence: face.confidence, x_min: Self.pixel(face.box.x1, width), y_min: Self.pixel(face.box.y1, height),
                x_max: Self.pixel(face.box.x2, width), y_max: Self.pixel(face.box.y2, height))
        }
        let processMs = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
        return FaceAnswer(
            success: true, predictions: predictions, count: predictions.count,
            inferenceMs: Int(output.timings.inference.rounded()), processMs: Int(processMs.rounded()), code: 200)
    }

    /// A coordinate as DeepStack gives it: the nearest whole pixel within the image.
    static func pixel(_ value: Float, _ limit: Int) -> Int { min(max(Int(value.rounded()), 0), limit) }

    func modelList(_ context: ArgusRequestContext) async throws -> ModelList {
        _ = try await caller(context, apiKey: nil, scope: .read)
        let store = dependencies.library.store
        let detectors = store.manifests().filter { $0.task == "detection" && store.isInstalled($0) }.map(\.id)
        return ModelList(success: true, models: detectors, code: 200)
    }

    /// `min_confidence` as clients send it: a number from 0 to 1 (`0`, `1`, `"0.45"`), or a
    /// percentage above 1 up to 100 (`45`); absent or empty, `fallback` (DeepStack's 0.45
    /// for objects).
    static func confidence(_ text: String?, default fallback: Double = defaultConfidence) throws(APIError) -> Float {
        let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !trimmed.isEmpty else { return Float(fallback) }
        guard let value = Double(trimmed), value.isFinite, (0...100).contains(value) else {
            throw APIError.badRequest(
                "invalid_parameter", "min_confidence must be a number from 0 to 1 (or a percentage up to 100), not '\(trimmed)'")
        }
        return max(Float(value > 1 ? value / 100 : value), confidenceFloor)
    }

    /// Who calls: a credential in a header (read by the authentication middleware),
    /// else DeepStack's `api_key` form field (empty means none, as Frigate sends it),
    /// else nobody, which only ARGUS_COMPAT_ANONYMOUS allows.
    private func caller(_ context: ArgusRequestContext, apiKey: String?, scope: Scope) async throws -> Identity? {
        var identity = context.identity
        if identity == nil, let key = apiKey?.trimmingCharacters(in: .whitespaces), !key.isEmpty {
            do {
                identity = try await Authenticator(services: dependencies.accounts).identity(bearer: key)
            } catch is Authenticator.Failure {
                throw APIError(.unauthorized, code: "invalid_credentials", message: "incorrect api key")
            }
        }
        guard let identity else {
            if configuration.compatAnonymous { return nil }
            throw APIError(
                .unauthorized, code: "unauthorized",
                message: "an Argus API key is required: send it as the api_key form field or the X-API-Key header")
        }
        guard identity.scopes.contains(scope) else {
            throw APIError(.forbidden, code: "insufficient_scope", message: "this API key lacks the '\(scope.rawValue)' scope")
        }
        return identity
    }

    private func unknownRoute(_ request: Request) -> APIError {
        APIError.notFound("no route \(request.method.rawValue) \(request.uri.path) in the DeepStack API")
    }
}
