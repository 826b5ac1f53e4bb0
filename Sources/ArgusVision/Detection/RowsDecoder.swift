import ArgusCore

/// Decoded rows [1, N, 5+C] (the YOLOv5 layout): cx, cy, w, h in input pixels,
/// objectness, then class scores, all already activated; score = objectness · class.
struct RowsDecoder: OutputDecoder {
    let classes: Int
    let hasObjectness: Bool
    let model: String

    func candidates(from outputs: [TensorView], threshold: Float, classFilter: Set<Int>?) throws -> [Candidate] {
        let rowLength = 4 + (hasObjectness ? 1 : 0) + classes
        guard let output = outputs.first, output.shape.last == rowLength, output.data.count % rowLength == 0 else {
            throw DetectorError.unexpectedOutputs(
                model: model, detail: "expected [1, N, \(rowLength)], got \(outputs.first?.shape ?? [])")
        }
        let data = output.data
        let classStart = hasObjectness ? 5 : 4
        var found: [Candidate] = []
        for row in 0..<(data.count / rowLength) {
            let base = row * rowLength
            let objectness = hasObjectness ? data[base + 4] : 1
            guard objectness >= threshold else { continue }
            let best = bestClass(data, start: base + classStart, step: 1, count: classes, filter: classFilter)
            guard best.index >= 0 else { continue }
            let score = objectness * best.score
            guard score >= threshold else { continue }
            let box = BoundingBox(centerX: data[base], centerY: data[base + 1], width: data[base + 2], height: data[base + 3])
            found.append(Candidate(classId: best.index, score: score, box: box))
        }
        return found
    }
}
