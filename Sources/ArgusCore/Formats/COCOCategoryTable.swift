/// The category ids of COCO output, the same in the CLI's results and in the export:
/// a COCO class under its COCO name keeps COCO's own id (`dog` is 18); every other label
/// (a custom model's, `circle`) gets 1000, 1001, … in the order it first appears.
public struct COCOCategoryTable: Sendable {
    private var ids: [String: Int] = [:]
    private var others = 0

    public init() {}

    /// The id of `label`; `classId` is the detector's index of it, when it has one.
    public mutating func id(label: String, classId: Int?) -> Int {
        if let id = ids[label] { return id }
        let id: Int
        if let classId, COCOCategories.names.indices.contains(classId), COCOCategories.names[classId] == label,
            let coco = COCOCategories.categoryId(forIndex: classId)
        {
            id = coco
        } else {
            id = 1000 + others
            others += 1
        }
        ids[label] = id
        return id
    }

    /// Every category handed out, by id.
    public var categories: [(id: Int, name: String)] {
        ids.map { (id: $0.value, name: $0.key) }.sorted { $0.id < $1.id }
    }
}
