import ArgusCore

/// Ultralytics YOLOv8/11 exports: [1, 4+C, N], channels first: cx, cy, w, h in
/// input pixels, then C class scores (already sigmoid); no objectness, no NMS.
struct UltralyticsDecoder: OutputDecoder {
    let classes: Int
    let model: String

    func candidates(from outputs: [TensorView], threshold: Float, classFilter: Set<Int>?) throws -> [Candidate] {
        guard let output = outputs.first, output.shape.count == 3, output.shape[1] == 4 + classes else {
            throw DetectorError.unexpectedOutputs(
                model: model, detail: "expected [1, \(4 + classes), N], got \(outputs.first?.shape ?? [])")
        }
        let count = output.shape[2]
        let data = output.data
        var found: [Candidate] = []
        for index in 0..<count {
            let best = bestClass(data, start: 4 * count + index, step: count, count: classes, filter: classFilter)
            guard best.index >= 0, best.score >= threshold else { continue }
            let box = BoundingBox(
                centerX: data[index], centerY: data[count + index], width: data[2 * count + index],
                height: data[3 * count + index])
            found.append(Candidate(classId: best.index, score: best.score, box: box))
        }
        return found
    }
}
