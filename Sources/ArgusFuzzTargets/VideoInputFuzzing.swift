import ArgusCore
import Foundation

@testable import ArgusServer

/// What the video routes and live sessions read from a client, from one input: its first
/// line as a `Range` header against a file as long as the input, and the whole input as
/// counting zones and as a live session's settings message.
enum VideoInputFuzzing {
    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        let text = String(decoding: bytes, as: UTF8.self)
        let header = String(text.prefix { $0 != "\n" })
        switch ByteRange.resolve(header, size: bytes.count) {
        case .partial(let range):
            guard range.lowerBound >= 0, range.upperBound < bytes.count else {
                throw FuzzFailure("Range '\(header)' resolved to \(range) of a \(bytes.count)-byte file")
            }
        case .whole, .unsatisfiable: break
        }
        _ = try? CountingZone.parseList(Data(bytes))
        // A settings message, read as a live session reads it (the model is not loaded).
        guard let message = try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes)) else { return }
        var fields: [String: String] = [:]
        for (name, value) in message { fields[name] = LiveOptions.text(of: value) }
        guard let parameters = try? RequestParameters(fields, source: .message, allowed: LiveOptions.names) else { return }
        if let settings = try? VideoTrackSettings(parameters: parameters, defaultModel: "yolov3-tiny") {
            guard settings.tracker(frameRate: LiveOptions.frameRate).problem == nil else {
                throw FuzzFailure("settings were accepted with a tracker that cannot be used: \(fields)")
            }
        }
    }
}
