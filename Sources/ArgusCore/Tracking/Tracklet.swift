/// One track inside `ByteTracker`: its motion estimate and bookkeeping.
struct Tracklet: Sendable {
    enum State: Sendable { case tracked, lost, removed }

    /// Order of creation, for deterministic iteration; not the public id.
    let serial: Int
    /// The public id, given on confirmation.
    var trackId: Int?
    var classId: Int
    var label: String
    var state: State = .tracked
    var estimate: BoxKalmanFilter.Estimate
    var score: Float
    /// Consecutive matched frames since birth (reset when re-found).
    var hits = 1
    var firstFrame: Int
    var lastFrame: Int
    /// The detection matched in the current frame: index and box.
    var matchedIndex: Int?
    var matchedBox: BoundingBox?

    var isConfirmed: Bool { trackId != nil }
    var box: BoundingBox { estimate.box }
}
