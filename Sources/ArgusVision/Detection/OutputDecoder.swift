import ArgusCore
import Foundation

/// Turns a model's raw outputs into scored boxes in model-input pixels.
protocol OutputDecoder: Sendable {
    func candidates(from outputs: [TensorView], threshold: Float, classFilter: Set<Int>?) throws -> [Candidate]
}

public enum DetectorError: Error, CustomStringConvertible, Sendable {
    case unexpectedOutputs(model: String, detail: String)
    case unexpectedInput(model: String, detail: String)

    public var description: String {
        switch self {
        case .unexpectedOutputs(let model, let detail): "model \(model): unexpected outputs: \(detail)"
        case .unexpectedInput(let model, let detail): "model \(model): unexpected input: \(detail)"
        }
    }
}

@inline(__always) func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

/// The best class among `count` scores laid out `step` floats apart, honouring a class filter.
@inline(__always)
func bestClass(
    _ data: UnsafeBufferPointer<Float>, start: Int, step: Int, count: Int, filter: Set<Int>?
)
    -> (index: Int, score: Float)
{
    var best = -1
    var bestScore = -Float.infinity
    var position = start
    for index in 0..<count {
        let score = data[position]
        if score > bestScore && (filter == nil || filter!.contains(index)) {
            best = index
            bestScore = score
        }
        position += step
    }
    return (best, bestScore)
}

/// Picks the decoder for a manifest's family.
func makeDecoder(for manifest: ModelManifest) throws -> any OutputDecoder {
    let classes = manifest.labels.count
    switch manifest.family {
    case .darknetYOLO:
        guard let anchors = manifest.anchors, !anchors.isEmpty else {
            throw DetectorError.unexpectedOutputs(model: manifest.id, detail: "darknet-yolo needs anchors in its manifest")
        }
        return DarknetYOLODecoder(classes: classes, anchorSets: anchors, inputWidth: manifest.input.width)
    case .yolov5:
        return RowsDecoder(classes: classes, hasObjectness: true, model: manifest.id)
    case .yolox:
        return YOLOXDecoder(
            classes: classes, strides: manifest.strides ?? [8, 16, 32], inputWidth: manifest.input.width,
            inputHeight: manifest.input.height, model: manifest.id)
    case .yolov8:
        return UltralyticsDecoder(classes: classes, model: manifest.id)
    case .gfl:
        return GFLDecoder(
            classes: classes, strides: manifest.strides ?? [8, 16, 32, 64], bins: (manifest.regMax ?? 7) + 1,
            centerOffset: manifest.centerOffset ?? 0.5, inputWidth: manifest.input.width,
            inputHeight: manifest.input.height, model: manifest.id)
    }
}
