import ArgusCore
import Foundation

/// Raw Darknet YOLO layers: each output is [1, A·(5+C), H, W] with, per anchor,
/// tx, ty, tw, th, objectness and C class logits. As Darknet decodes them:
/// centre = (sigmoid(t) + cell) · stride, size = exp(t) · anchor, score = σ(obj) · σ(class).
struct DarknetYOLODecoder: OutputDecoder {
    let classes: Int
    let anchorSets: [AnchorSet]
    let inputWidth: Int

    func candidates(from outputs: [TensorView], threshold: Float, classFilter: Set<Int>?) throws -> [Candidate] {
        var found: [Candidate] = []
        for output in outputs {
            guard output.shape.count == 4, output.shape[0] == 1 else {
                throw DetectorError.unexpectedOutputs(model: "darknet", detail: "\(output.name) has shape \(output.shape)")
            }
            let (channels, height, width) = (output.shape[1], output.shape[2], output.shape[3])
            let stride = inputWidth / max(width, 1)
            guard let set = anchorSets.first(where: { $0.stride == stride }),
                channels == set.anchors.count * (5 + classes)
            else {
                throw DetectorError.unexpectedOutputs(
                    model: "darknet", detail: "\(output.name) \(output.shape) matches no anchor set for stride \(stride)")
            }
            decode(output.data, set: set, width: width, height: height, threshold: threshold, filter: classFilter, into: &found)
        }
        return found
    }

    private func decode(
        _ data: UnsafeBufferPointer<Float>, set: AnchorSet, width: Int, height: Int, threshold: Float,
        filter: Set<Int>?, into found: inout [Candidate]
    ) {
        let plane = width * height
        let stride = Float(set.stride)
        // σ(obj) < threshold means no class can reach it: skip before any exp.
        let objectnessFloor = logf(threshold / (1 - min(threshold, 0.999_999)))
        for (anchorIndex, anchor) in set.anchors.enumerated() {
            let base = anchorIndex * (5 + classes) * plane
            for cell in 0..<plane {
                let objectnessLogit = data[base + 4 * plane + cell]
                guard objectnessLogit >= objectnessFloor else { continue }
                let objectness = sigmoid(objectnessLogit)
                let best = bestClass(data, start: base + 5 * plane + cell, step: plane, count: classes, filter: filter)
                guard best.index >= 0 else { continue }
                let score = objectness * sigmoid(best.score)
                guard score >= threshold else { continue }
                let column = Float(cell % width), row = Float(cell / width)
                let box = BoundingBox(
                    centerX: (sigmoid(data[base + cell]) + column) * stride,
                    centerY: (sigmoid(data[base + plane + cell]) + row) * stride,
                    width: expf(data[base + 2 * plane + cell]) * anchor[0],
                    height: expf(data[base + 3 * plane + cell]) * anchor[1])
                found.append(Candidate(classId: best.index, score: score, box: box))
            }
        }
    }
}
