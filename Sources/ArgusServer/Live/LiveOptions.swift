import ArgusCore
import ArgusVision
import Foundation

/// A live session's detection and tracking settings: the query string's, then each
/// settings message's on top (a `null` puts a setting back to its default). They are read
/// and checked by the same rules as a video upload's (`VideoTrackSettings`).
struct LiveOptions: Sendable {
    /// What a session may set: a video's settings, less those that only make sense for a file.
    static let names = VideoTrackSettings.names.subtracting(["stride", "annotate"])
    /// What only the query string or the first message may carry: the credential, and
    /// whether the session is recorded.
    static let startNames: Set<String> = ["token", "api_key", "record"]

    /// The settings as sent, merged.
    private(set) var fields: [String: String]
    private(set) var settings: VideoTrackSettings
    let detector: Detector
    let zones: [CountingZone]

    /// Reads `fields` (a query string's or a message's), loading the model to resolve classes.
    init(
        _ fields: [String: String], source: RequestParameters.Source, defaultModel: String, library: DetectorLibrary
    ) throws(APIError) {
        let parameters = try RequestParameters(fields, source: source, allowed: Self.names)
        var settings = try VideoTrackSettings(parameters: parameters, defaultModel: defaultModel)
        do {
            detector = try DetectController.detector(settings.model, in: library)
        } catch {
            throw APIError(error)
        }
        try settings.resolveClasses(labels: detector.manifest.labels)
        do {
            zones = try settings.countingZones()
        } catch {
            throw .badRequest("invalid_zones", "zones: \(error)")
        }
        self.fields = fields
        self.settings = settings
    }

    /// These settings with a settings message's on top.
    func updated(
        with message: [String: JSONValue], defaultModel: String, library: DetectorLibrary
    ) throws(APIError)
        -> LiveOptions
    {
        var merged = fields
        for (name, value) in message { merged[name] = Self.text(of: value) }
        return try LiveOptions(merged, source: .message, defaultModel: defaultModel, library: library)
    }

    /// A message's value as a query string would carry it: numbers without a needless
    /// `.0`, a list of class names joined by commas, zones as their JSON; nil for `null`.
    static func text(of value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case .bool(let flag): return String(flag)
        case .number(let number):
            return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text): return text
        case .array(let items) where items.allSatisfy(\.isScalarWord):
            return items.compactMap(text(of:)).joined(separator: ",")
        case .array, .object:
            return (try? JSONCoding.encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The tracker's parameters; a live feed is taken as 30 frames a second.
    var tracker: TrackerConfiguration { settings.tracker(frameRate: Self.frameRate) }

    /// The rate the tracker's lost buffer and the zones' times are measured at.
    static let frameRate = 30.0
}

extension JSONValue {
    /// A string or a number: what a list of classes holds.
    fileprivate var isScalarWord: Bool {
        switch self {
        case .string, .number: true
        default: false
        }
    }
}
