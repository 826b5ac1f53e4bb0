import ArgusCore
import ArgusVision
import Hummingbird

/// An image upload with its tasks and options, read one way for `POST /images` and
/// `POST /uploads`: everything but the file is checked before the body is read, then
/// the form's text fields join the query (the query wins on a name in both).
struct TaskUpload: Sendable {
    let upload: Upload
    let tasks: [TaskRunner.Task]
    /// The detector when `detect` is a task.
    let detector: Detector?
    /// The detection options, classes resolved against the detector's labels when there is one.
    let detectOptions: DetectionOptions
    /// The model the request named (or the default), whether or not it runs.
    let model: String
    let circleOptions: CircleOptions
    /// The background removal's settings (read whether or not it is a task).
    let cutoutSettings: CutoutSettings
    /// The pools' places taken before the body was read (none for `POST /uploads`).
    let reserved: TaskRunner.Reservations

    /// What an upload may set in its query string or form fields.
    static let parameters = DetectionQuery.names.union(CircleQuery.names).union(["tasks"])
    /// The upload flow's, with the background removal's (its model is `bg_model`).
    static let flowParameters = parameters.union(CutoutSettings.names(model: "bg_model"))

    /// With `refusingWhenBusy` (tasks run during the request), a full pool refuses it
    /// before its body is read.
    static func read(_ request: Request, dependencies: ServerDependencies, refusingWhenBusy: Bool) async throws -> TaskUpload {
        let configuration = dependencies.configuration
        // Tasks that run during the request are those a client can wait for.
        let allowedTasks = refusingWhenBusy ? TaskRunner.Task.synchronous : TaskRunner.Task.imageTasks
        let allowedNames = refusingWhenBusy ? Self.parameters : Self.flowParameters
        var parameters = try RequestParameters(request, allowed: allowedNames)
        // Refused before the body is read when the pools are full (by the query's tasks:
        // a form field may name others, but the body is what an overload cannot afford).
        let reserved =
            refusingWhenBusy
            ? try TaskRunner(dependencies: dependencies).reserve(
                for: try TaskRunner.parse(parameters["tasks"], allowed: allowedTasks))
            : TaskRunner.Reservations()
        _ = try DetectionQuery(parameters: parameters, defaultModel: configuration.defaultModel)
        _ = try CircleQuery.options(from: parameters)
        _ = try CutoutSettings(parameters: parameters, model: "bg_model")
        let upload = try await UploadedImage.read(from: request, field: "file", maxBytes: configuration.maxUploadBytes)
        try parameters.merge(formFields: upload.fields, allowed: allowedNames)
        let tasks = try TaskRunner.parse(parameters["tasks"], allowed: allowedTasks)
        let query = try DetectionQuery(parameters: parameters, defaultModel: configuration.defaultModel)
        let circleOptions = try CircleQuery.options(from: parameters)
        let detector = tasks.contains(.detect) ? try DetectController.detector(query.model, in: dependencies.library) : nil
        let detectOptions = try detector.map { try query.resolvingClasses(labels: $0.manifest.labels) } ?? query.options
        return TaskUpload(
            upload: upload, tasks: tasks, detector: detector, detectOptions: detectOptions,
            model: detector?.manifest.id ?? query.model,
            circleOptions: circleOptions, cutoutSettings: try CutoutSettings(parameters: parameters, model: "bg_model"),
            reserved: reserved)
    }

    /// The detect task as `TaskRunner.analyse` takes it.
    var detect: (Detector, DetectionOptions)? { detector.map { ($0, detectOptions) } }
    /// The circles task's options when it is asked for.
    var circles: CircleOptions? { tasks.contains(.circles) ? circleOptions : nil }
    /// The background removal's settings when it is asked for.
    var cutout: CutoutSettings? { tasks.contains(.removeBackground) ? cutoutSettings : nil }
}
