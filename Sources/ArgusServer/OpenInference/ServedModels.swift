import ArgusVision

/// The models `/v2` serves: every installed detector as its raw ONNX session and as a
/// `{id}-detect` pipeline, and `circles`.
struct ServedModels: Sendable {
    let dependencies: ServerDependencies
    var store: ModelStore { dependencies.library.store }

    /// The one version each model has.
    static let version = "1"

    /// Every model name, detectors first (in the store's order).
    var names: [String] {
        let detectors = store.manifests().filter { $0.task == "detection" && store.isInstalled($0) }.map(\.id)
        return detectors + detectors.map { $0 + DetectionServedModel.suffix } + [CirclesServedModel.modelName]
    }

    /// The model called `name` (its version, when given, must be 1), loading its session
    /// on first use.
    /// - Throws: `404 not_found` for an unknown name or version; a model that cannot be
    ///   loaded answers as `POST /api/v1/detect` would.
    func model(_ name: String, version: String? = nil) throws -> any ServedModel {
        let limits = dependencies.configuration.imageLimits
        let model: any ServedModel
        if name == CirclesServedModel.modelName {
            model = CirclesServedModel(pool: dependencies.circlePool, limits: limits)
        } else if let manifest = installed(name) {
            let detector = try DetectController.detector(manifest.id, in: dependencies.library)
            model = ONNXServedModel(name: name, session: detector.session, pool: dependencies.pool)
        } else if name.hasSuffix(DetectionServedModel.suffix),
            let manifest = installed(String(name.dropLast(DetectionServedModel.suffix.count)))
        {
            let detector = try DetectController.detector(manifest.id, in: dependencies.library)
            model = DetectionServedModel(detector: detector, pool: dependencies.pool, limits: limits)
        } else {
            throw APIError.notFound("unknown model '\(name)': GET /v2/repository/index lists the models served here")
        }
        if let version, version != Self.version {
            throw APIError.notFound("model '\(name)' has no version '\(version)': it has version \(Self.version) only")
        }
        return model
    }

    private func installed(_ id: String) -> ModelManifest? {
        guard let manifest = try? store.manifest(for: id), manifest.task == "detection", store.isInstalled(manifest) else {
            return nil
        }
        return manifest
    }
}
