import ArgusCore
import Foundation

/// Generalised Focal Loss heads (PicoDet, NanoDet): per stride a class tensor
/// [1, N, C] (sigmoid scores) and a box tensor [1, N, 4·bins]. Each side's distance
/// is the expected value of a softmax over `bins`, times the stride, measured from
/// the cell centre (column + offset) · stride. Outputs are matched to strides by N.
struct GFLDecoder: OutputDecoder {
    let classes: Int
    let strides: [Int]
    let bins: Int
    let centerOffset: Float
    let inputWidth: Int
    let inputHeight: Int
    let model: String

    func candidates(from outputs: [TensorView], threshold: Float, classFilter: Set<Int>?) throws -> [Candidate] {
        var found: [Candidate] = []
        for stride in strides {
            let columns = (inputWidth + stride - 1) / stride, rows = (inputHeight + stride - 1) / stride
            let cells = columns * rows
            func tensor(width: Int) -> TensorView? {
                outputs.first { $0.shape.last == width && $0.data.count == cells * width }
            }
            guard let scores = tensor(width: classes), let boxes = tensor(width: 4 * bins) else {
                throw DetectorError.unexpectedOutputs(
                    model: model,
                    detail: "no class [1, \(cells), \(classes)] and box [1, \(cells), \(4 * bins)] pair for stride \(stride)")
            }
            for cell in 0..<cells {
                let best = bestClass(scores.data, start: cell * classes, step: 1, count: classes, filter: classFilter)
                guard best.index >= 0, best.score >= threshold else { continue }
                let centerX = (Float(cell % columns) + centerOffset) * Float(stride)
                let centerY = (Float(cell / columns) + centerOffset) * Float(stride)
                let base = cell * 4 * bins
                let left = expectedDistance(boxes.data, start: base) * Float(stride)
                let top = expectedDistance(boxes.data, start: base + bins) * Float(stride)
                let right = expectedDistance(boxes.data, start: base + 2 * bins) * Float(stride)
                let bottom = expectedDistance(boxes.data, start: base + 3 * bins) * Float(stride)
                let box = BoundingBox(x1: centerX - left, y1: centerY - top, x2: centerX + right, y2: centerY + bottom)
                found.append(Candidate(classId: best.index, score: best.score, box: box))
            }
        }
        return found
    }

    /// Σ softmax(logits)·i over one side's bins.
    private func expectedDistance(_ data: UnsafeBufferPointer<Float>, start: Int) -> Float {
        var maximum = -Float.infinity
        for i in 0..<bins { maximum = max(maximum, data[start + i]) }
        var total: Float = 0, weighted: Float = 0
        for i in 0..<bins {
            let e = expf(data[start + i] - maximum)
            total += e
            weighted += e * Float(i)
        }
        return weighted / total
    }
}
