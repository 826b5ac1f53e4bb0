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
    /// The pools' places taken before the body was read (none for `POST /uploads`).
    let reserved: TaskRunner.Reservations

    /// What an upload may set in its query string or form fields.
    static let parameters = DetectionQuery.names.union(CircleQuery.names).union(["tasks"])

    /// With `refusingWhenBusy` (tasks run during the request), a full pool refuses it
    /// before its body is read.
    static func read(_ request: Request, dependencies: ServerDependencies, refusingWhenBusy: Bool) async throws -> TaskUpload {
        let configuration = dependencies.configuration
        var parameters = try RequestParameters(request, allowed: Self.parameters)
        // Refused before the body is read when the pools are full (by the query's tasks:
        // a form field may name others, but the body is what an overload cannot afford).
        let reserved =
            refusingWhenBusy
            ? try TaskRunner(dependencies: dependencies).reserve(for: try TaskRunner.parse(parameters["tasks"]))
            : TaskRunner.Reservations()
        _ = try DetectionQuery(parameters: parameters, defaultModel: configuration.defaultModel)
        _ = try CircleQuery.options(from: parameters)
        let upload = try await UploadedImage.read(from: request, field: "file", maxBytes: configuration.maxUploadBytes)
        try parameters.merge(formFields: upload.fields, allowed: Self.parameters)
        let tasks = try TaskRunner.parse(parameters["tasks"])
        let query = try DetectionQuery(parameters: parameters, defaultModel: configuration.defaultModel)
        let circleOptions = try CircleQuery.options(from: parameters)
        let detector = tasks.contains(.detect) ? try DetectController.detector(query.model, in: dependencies.library) : nil
        let detectOptions = try detector.map { try query.resolvingClasses(labels: $0.manifest.labels) } ?? query.options
        return TaskUpload(
            upload: upload, tasks: tasks, detector: detector, detectOptions: detectOptions,
            model: detector?.manifest.id ?? query.model,
            circleOptions: circleOptions, reserved: reserved)
    }

    /// The detect task as `TaskRunner.analyse` takes it.
    var detect: (Detector, DetectionOptions)? { detector.map { ($0, detectOptions) } }
    /// The circles task's options when it is asked for.
    var circles: CircleOptions? { tasks.contains(.circles) ? circleOptions : nil }
}
