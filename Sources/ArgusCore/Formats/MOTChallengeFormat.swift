/// The MOTChallenge text format (motchallenge.net): one object per line,
/// `frame,id,left,top,width,height,confidence,x,y,z`, frames from 1. Detection files carry
/// id -1; tracker results carry the track id and -1 for the world coordinates.
public enum MOTChallengeFormat {
    /// One detection line.
    public struct Record: Sendable, Hashable {
        public var frame: Int
        public var id: Int
        public var box: BoundingBox
        public var confidence: Float

        public init(frame: Int, id: Int, box: BoundingBox, confidence: Float) {
            self.frame = frame
            self.id = id
            self.box = box
            self.confidence = confidence
        }
    }

    /// Why a MOTChallenge file could not be read, with its line.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Every line of `text` (blank lines skipped, `\r\n` accepted).
    public static func parse(_ text: String) throws(ParseError) -> [Record] {
        var records: [Record] = []
        var lineNumber = 0
        // Swift reads "\r\n" as one character, a newline like "\n".
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharactersInSpaces
            }
            guard fields.count >= 6 else {
                throw ParseError(line: lineNumber, reason: "expected at least 6 comma-separated fields, found \(fields.count)")
            }
            guard let frameValue = Double(fields[0]), frameValue.isFinite, frameValue >= 1, frameValue <= 10_000_000,
                frameValue == frameValue.rounded()
            else {
                throw ParseError(line: lineNumber, reason: "the frame '\(fields[0])' is not a whole number from 1")
            }
            guard let idValue = Double(fields[1]), idValue.isFinite, abs(idValue) <= 1e9 else {
                throw ParseError(line: lineNumber, reason: "the id '\(fields[1])' is not a number")
            }
            var numbers: [Float] = []
            for (name, field) in zip(["left", "top", "width", "height"], fields[2...5]) {
                guard let value = Float(field), value.isFinite else {
                    throw ParseError(line: lineNumber, reason: "the \(name) '\(field)' is not a finite number")
                }
                numbers.append(value)
            }
            var confidence: Float = 1
            if fields.count > 6 {
                guard let value = Float(fields[6]), value.isFinite else {
                    throw ParseError(line: lineNumber, reason: "the confidence '\(fields[6])' is not a finite number")
                }
                confidence = value
            }
            records.append(
                Record(
                    frame: Int(frameValue), id: Int(idValue),
                    box: BoundingBox(
                        x1: numbers[0], y1: numbers[1], x2: numbers[0] + numbers[2], y2: numbers[1] + numbers[3]),
                    confidence: confidence))
        }
        return records
    }

    /// A tracker result line for one tracked object, without its `\n`.
    public static func resultLine(frame: Int, object: TrackedObject) -> String {
        let box = object.box
        return [
            String(frame), String(object.trackId), NumberFormat.text(box.x1), NumberFormat.text(box.y1),
            NumberFormat.text(box.x2 - box.x1), NumberFormat.text(box.y2 - box.y1), NumberFormat.text(object.confidence),
            "-1", "-1", "-1",
        ].joined(separator: ",")
    }
}

extension Substring {
    fileprivate var trimmingCharactersInSpaces: Substring {
        var result = self
        while result.first == " " || result.first == "\t" { result = result.dropFirst() }
        while result.last == " " || result.last == "\t" { result = result.dropLast() }
        return result
    }
}
