import ArgusCore
import Testing

struct MOTChallengeFormatTests {
    @Test func readsDetectionLines() throws {
        let records = try MOTChallengeFormat.parse("1,-1,912.8,482.9,97.6,112.6,0.99\r\n\n2,-1,10,20,30,40,1,-1,-1,-1\n")
        #expect(records.count == 2)
        #expect(records[0].frame == 1 && records[0].id == -1 && records[0].confidence == 0.99)
        #expect(records[0].box == BoundingBox(x1: 912.8, y1: 482.9, x2: 912.8 + 97.6, y2: 482.9 + 112.6))
        #expect(records[1].box == BoundingBox(x1: 10, y1: 20, x2: 40, y2: 60))
    }

    @Test func aMissingScoreMeansOne() throws {
        #expect(try MOTChallengeFormat.parse("3, 7, 1, 2, 3, 4").first?.confidence == 1)
    }

    @Test func badLinesAreNamedWithTheirNumber() {
        for (text, line, reason) in [
            ("1,-1,1,2,3,4,1\n1,-1,1,2", 2, "at least 6"),
            ("0,-1,1,2,3,4,1", 1, "frame"),
            ("1.5,-1,1,2,3,4,1", 1, "frame"),
            ("1,-1,x,2,3,4,1", 1, "left"),
            ("1,-1,1,2,3,nan,1", 1, "height"),
            ("\n\n1,a,1,2,3,4", 3, "id"),
        ] {
            #expect {
                _ = try MOTChallengeFormat.parse(text)
            } throws: { error in
                guard let error = error as? MOTChallengeFormat.ParseError else { return false }
                return error.line == line && error.reason.contains(reason)
            }
        }
    }

    @Test func writesResultLines() {
        let object = TrackedObject(
            trackId: 3, classId: 0, label: "object", confidence: 0.5, box: BoundingBox(x1: 10, y1: 20, x2: 40.5, y2: 60),
            detectionIndex: 0, predicted: false)
        #expect(MOTChallengeFormat.resultLine(frame: 7, object: object) == "7,3,10,20,30.5,40,0.5,-1,-1,-1")
    }
}
