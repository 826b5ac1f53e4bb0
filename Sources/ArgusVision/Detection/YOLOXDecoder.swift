import ArgusCore
import Foundation

/// YOLOX raw grid rows [1, N, 5+C] over strides (8, 16, 32), grids row-major:
/// centre = (t + cell) · stride, size = exp(t) · stride; objectness and class
/// scores come already passed through a sigmoid.
struct YOLOXDecoder: OutputDecoder {
    let classes: Int
    let strides: [Int]
    let inputWidth: Int
    let inputHeight: Int
    let model: String

    func candidates(from outputs: [TensorView], threshold: Float, classFilter: Set<Int>?) throws -> [Candidate] {
        let rowLength = 5 + classes
        let grids = strides.map { (stride: $0, columns: inputWidth / $0, rows: inputHeight / $0) }
        let expectedRows = grids.reduce(0) { $0 + $1.columns * $1.rows }
        guard let output = outputs.first, output.shape.last == rowLength, output.data.count == expectedRows * rowLength
        else {
            throw DetectorError.unexpectedOutputs(
                model: model, detail: "expected [1, \(expectedRows), \(rowLength)], got \(outputs.first?.shape ?? [])")
        }
        let data = output.data
        var found: [Candidate] = []
        var row = 0
        for grid in grids {
            let stride = Float(grid.stride)
            for cell in 0..<(grid.columns * grid.rows) {
                defer { row += 1 }
                let base = row * rowLength
                let objectness = data[base + 4]
                guard objectness >= threshold else { continue }
                let best = bestClass(data, start: base + 5, step: 1, count: classes, filter: classFilter)
                guard best.index >= 0 else { continue }
                let score = objectness * best.score
                guard score >= threshold else { continue }
                let box = BoundingBox(
                    centerX: (data[base] + Float(cell % grid.columns)) * stride,
                    centerY: (data[base + 1] + Float(cell / grid.columns)) * stride,
                    width: expf(data[base + 2]) * stride, height: expf(data[base + 3]) * stride)
                found.append(Candidate(classId: best.index, score: score, box: box))
            }
        }
        return found
    }
}
