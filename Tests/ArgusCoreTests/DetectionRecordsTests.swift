import ArgusCore
import Foundation
import Testing

@Suite struct DetectionRecordsTests {
    let dog = Detection(classId: 16, label: "dog", confidence: 0.5, box: BoundingBox(x1: 10, y1: 20, x2: 110, y2: 70))

    @Test func cocoRecordsUseCategoryIdsAndXYWH() throws {
        let record = try #require(
            COCOResultRecord(fileName: "000000000042.jpg", detection: dog, categoryId: COCOCategories.categoryId(forIndex: 16)))
        #expect(record.categoryId == 18)
        #expect(record.imageId == 42)
        #expect(record.bbox == [10, 20, 100, 50])
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(json.contains("\"file_name\":\"000000000042.jpg\""))
        #expect(json.contains("\"category_id\":18"))
        #expect(COCOResultRecord(fileName: "photo.jpg", detection: dog, categoryId: 18)?.imageId == nil)
    }

    @Test func everyCOCOIndexHasADistinctCategory() {
        #expect(COCOCategories.names.count == 80)
        #expect(Set(COCOCategories.categoryIds).count == 80)
        #expect(COCOCategories.categoryId(forIndex: 0) == 1)
        #expect(COCOCategories.categoryId(forIndex: 79) == 90)
        #expect(COCOCategories.categoryId(forIndex: 80) == nil)
    }

    @Test func csvEscapesFieldsThatNeedIt() {
        #expect(CSVFormat.escape("plain") == "plain")
        #expect(CSVFormat.escape("a,b") == "\"a,b\"")
        #expect(CSVFormat.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVFormat.row(file: "x.jpg", detection: dog) == "x.jpg,dog,16,0.5,10,20,110,70")
    }

    @Test func jsonRecordsUseSnakeCase() throws {
        let json = String(decoding: try JSONEncoder().encode(DetectionRecord(dog)), as: UTF8.self)
        #expect(json.contains("\"class_id\":16"))
        #expect(json.contains("\"bbox\":{"))
    }
}

@Suite struct ClassSelectionTests {
    let labels = ["person", "bicycle", "car"]

    @Test func namesAndIndicesResolveCaseInsensitively() throws {
        #expect(try ClassSelection.resolve(ClassSelection.split(" Person, 2 ,,"), labels: labels) == [0, 2])
    }

    @Test func unknownEntriesAreNamed() {
        #expect(throws: ClassSelection.UnknownClass(name: "unicorn")) {
            try ClassSelection.resolve(["car", "unicorn"], labels: labels)
        }
        #expect(throws: ClassSelection.UnknownClass(name: "3")) { try ClassSelection.resolve(["3"], labels: labels) }
    }
}
