/// A label a classifier gives a whole image (an ImageNet class, say), with its probability.
public struct ImageTag: Sendable, Hashable, Codable {
    /// The class's first name ("tiger cat" of "tiger cat"; "malamute" of "malamute, malemute, Alaskan malamute").
    public var label: String
    public var classId: Int
    /// The softmax probability, 0-1.
    public var score: Float

    public init(label: String, classId: Int, score: Float) {
        self.label = label
        self.classId = classId
        self.score = score
    }
}
