import ArgusCore
import ArgusVision
import Foundation

/// Prints detection results in the chosen format: json and coco as one document at
/// the end, jsonl and csv as each image is done.
final class ResultWriter {
    struct ImageResult: Encodable {
        struct Size: Encodable {
            let width: Int
            let height: Int
        }
        let file: String
        let model: String
        let image: Size
        let detections: [DetectionRecord]
    }

    private let format: Detect.Format
    private let model: ModelManifest
    private let output = OutputWriter()
    private let encoder = JSONLines.encoder
    private var results: [ImageResult] = []
    private var cocoResults: [COCOResultRecord] = []
    private var categories = COCOCategoryTable()

    init(format: Detect.Format, model: ModelManifest) {
        self.format = format
        self.model = model
        if format == .csv { output.write(CSVFormat.detectionHeader + "\n") }
    }

    func add(file: String, image: Image, detections: [Detection]) {
        let result = ImageResult(
            file: file, model: model.id, image: .init(width: image.width, height: image.height),
            detections: detections.map(DetectionRecord.init))
        switch format {
        case .json:
            results.append(result)
        case .jsonl:
            output.write((try? JSONLines.line(result, encoder: encoder)) ?? "null\n")
        case .csv:
            for detection in detections { output.write(CSVFormat.row(file: file, detection: detection) + "\n") }
        case .coco:
            let name = (file as NSString).lastPathComponent
            cocoResults += detections.compactMap { detection in
                COCOResultRecord(
                    fileName: name, detection: detection,
                    categoryId: categories.id(label: detection.label, classId: detection.classId))
            }
        }
    }

    func finish() {
        switch format {
        case .json: output.write(encode(results) + "\n")
        case .coco: output.write(encode(cocoResults) + "\n")
        case .jsonl, .csv: break
        }
        output.flush()
    }

    private func encode(_ value: some Encodable) -> String {
        String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}

/// A one-line progress bar on stderr.
final class ProgressBar {
    static var isTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    private let total: Int
    private let enabled: Bool

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(done: Int, current: String) {
        guard enabled else { return }
        let width = 30
        let filled = total > 0 ? width * done / total : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let name = (current as NSString).lastPathComponent
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) \(name.prefix(40))\u{1B}[K".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled else { return }
        update(done: total, current: "done")
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
