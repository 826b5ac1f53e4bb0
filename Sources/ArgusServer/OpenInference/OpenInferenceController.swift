import ArgusVision
import Foundation
import Hummingbird
import NIOCore

/// The Open Inference Protocol v2 (KServe, Triton) under `/v2`: server and model
/// metadata, readiness and inference with JSON tensors or the binary tensor data
/// extension, for the models of `ServedModels`. Failures answer `{"error": "..."}`.
struct OpenInferenceController {
    let dependencies: ServerDependencies
    var models: ServedModels { ServedModels(dependencies: dependencies) }
    var configuration: ServerConfiguration { dependencies.configuration }

    /// The protocol's shape of a failure.
    static let errorShape = ErrorShapeMiddleware { "{\"error\":\(JSONCoding.quoted($0.message))}" }

    struct ServerMetadata: ResponseEncodable {
        let name: String
        let version: String
        let extensions: [String]
    }

    struct TensorMetadata: Codable {
        let name: String
        let datatype: String
        let shape: [Int]
    }

    struct ModelMetadata: ResponseEncodable {
        let name: String
        let versions: [String]
        let platform: String
        let inputs: [TensorMetadata]
        let outputs: [TensorMetadata]
    }

    struct Readiness: ResponseEncodable {
        var name: String?
        let ready: Bool
    }

    struct Liveness: ResponseEncodable {
        let live: Bool
    }

    struct RepositoryEntry: ResponseEncodable {
        let name: String
        let version: String
        let state: String
    }

    /// Liveness and readiness: never authenticated, as probes call them.
    var healthRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get("live") { _, _ in Liveness(live: true) }
        routes.get("ready") { _, _ -> Response in
            // Ready once the default detector is loaded, as /health/ready says.
            let ready = dependencies.library.loadedIds.contains(configuration.defaultModel)
            return try JSONResponse.make(Readiness(ready: ready), status: ready ? .ok : .serviceUnavailable)
        }
        return routes
    }

    /// Metadata and the repository index (the `api` budget).
    var metadataRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.get { _, context in
            try authorise(context, .read)
            return ServerMetadata(
                name: "argus", version: ServedModels.version, extensions: ["binary_tensor_data", "model_repository"])
        }
        routes.post("repository/index") { _, context -> [RepositoryEntry] in
            try authorise(context, .read)
            return models.names.map { RepositoryEntry(name: $0, version: ServedModels.version, state: "READY") }
        }
        for prefix in ["models/:name", "models/:name/versions/:version"] {
            routes.get(RouterPath(prefix)) { _, context in
                try authorise(context, .read)
                return metadata(try model(context))
            }
            routes.get(RouterPath(prefix + "/ready")) { _, context in
                try authorise(context, .read)
                return Readiness(name: try model(context).name, ready: true)
            }
        }
        // Anything else under /v2 answers in the protocol's shape too.
        routes.on("**", method: .get) { request, _ -> Response in throw unknownRoute(request) }
        routes.on("**", method: .post) { request, _ -> Response in throw unknownRoute(request) }
        return routes
    }

    /// Inference (the `inference` budget and body limit).
    var inferenceRoutes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        for path in ["models/:name/infer", "models/:name/versions/:version/infer"] {
            routes.post(RouterPath(path)) { request, context in try await infer(request, context: context) }
        }
        return routes
    }

    func infer(_ request: Request, context: ArgusRequestContext) async throws -> Response {
        try authorise(context, .write)
        let model = try model(context)
        // Refused before the body is read: under overload a refusal must cost next to nothing.
        let reservation = try model.pool.reserve()
        let body = try await RequestBody.collect(request, context: context)
        let parsed = try InferenceRequest.parse(body, headerLength: request.headers[.inferenceHeaderContentLength])
        let inputs = try model.match(parsed.inputs)
        let requested = parsed.outputs?.map(\.name)
        try model.checkOutputs(requested)
        let start = ContinuousClock.now
        let outputs = try await model.infer(
            inputs, parameters: parsed.parameters, requested: requested, reservation: reservation)
        dependencies.metrics.inferenceFinished(model: model.name, milliseconds: TaskRunner.milliseconds(since: start))
        return try InferenceResponse(modelName: model.name, modelVersion: ServedModels.version, id: parsed.id, outputs: outputs)
            .response(binary: parsed.wantsBinary)
    }

    private func metadata(_ model: any ServedModel) -> ModelMetadata {
        func shown(_ spec: TensorSpec) -> TensorMetadata {
            TensorMetadata(name: spec.name, datatype: spec.forms[0].datatype.rawValue, shape: spec.forms[0].shape)
        }
        return ModelMetadata(
            name: model.name, versions: [ServedModels.version], platform: model.platform, inputs: model.inputs.map(shown),
            outputs: model.outputs.map(shown))
    }

    private func model(_ context: ArgusRequestContext) throws -> any ServedModel {
        let name = try context.parameters.require("name")
        return try models.model(name, version: context.parameters.get("version"))
    }

    /// A credential with `scope`, unless ARGUS_COMPAT_ANONYMOUS lets anyone call.
    private func authorise(_ context: ArgusRequestContext, _ scope: Scope) throws {
        if context.identity == nil, configuration.compatAnonymous { return }
        _ = try context.requireIdentity(scope)
    }

    private func unknownRoute(_ request: Request) -> APIError {
        APIError.notFound("no route \(request.method.rawValue) \(request.uri.path) in the Open Inference Protocol")
    }
}
