/// The ByteTrack multi-object tracker (Zhang et al., 2022): a Kalman filter per track and
/// two associations per frame, first of high-score detections (IoU fused with the score),
/// then of low-score ones (plain IoU) to the tracks still unmatched, so an object that
/// fades behind an occluder keeps its track. Pure computation: one instance per video or
/// stream, ids from 1 per instance.
public struct ByteTracker: Sendable {
    public let configuration: TrackerConfiguration
    private let filter = BoxKalmanFilter()
    private var tracklets: [Int: Tracklet] = [:]
    /// Serials of tracks in the tracked state (confirmed or not) and of lost ones, in order.
    private var trackedSerials: [Int] = []
    private var lostSerials: [Int] = []
    private var nextSerial = 0
    private var nextTrackId = 1
    /// Frames seen, the first being 1.
    public private(set) var frame = 0

    public init(configuration: TrackerConfiguration = TrackerConfiguration()) {
        self.configuration = configuration
    }

    /// Confirmed ids handed out so far.
    public var confirmedTrackCount: Int { nextTrackId - 1 }

    /// Advances one frame with that frame's detections; returns the confirmed tracks
    /// matched in it, in id order.
    public mutating func update(_ detections: [Detection]) -> [TrackedObject] {
        frame += 1
        let valid = detections.indices.filter { index in
            let box = detections[index].box
            return [box.x1, box.y1, box.x2, box.y2, detections[index].confidence].allSatisfy(\.isFinite)
                && box.x2 > box.x1 && box.y2 > box.y1
        }
        let high = valid.filter { detections[$0].confidence >= configuration.highThreshold }
        let low = valid.filter {
            detections[$0].confidence > configuration.lowThreshold
                && detections[$0].confidence < configuration.highThreshold
        }
        for serial in trackedSerials + lostSerials {
            tracklets[serial]?.matchedIndex = nil
            tracklets[serial]?.matchedBox = nil
        }

        let unconfirmed = trackedSerials.filter { tracklets[$0]?.isConfirmed == false }
        let pool = trackedSerials.filter { tracklets[$0]?.isConfirmed == true } + lostSerials
        predict(pool)

        // First association: confirmed and lost tracks with high-score detections.
        let first = associate(pool, high, in: detections, fuseScore: true, threshold: configuration.matchThreshold)
        for pair in first.pairs { absorb(pool[pair.row], detections, high[pair.column]) }

        // Second: the tracks still unmatched (and not already lost) with low-score detections.
        let remaining = first.unmatchedRows.map { pool[$0] }.filter { tracklets[$0]?.state == .tracked }
        let second = associate(remaining, low, in: detections, fuseScore: false, threshold: 0.5)
        for pair in second.pairs { absorb(remaining[pair.row], detections, low[pair.column]) }
        for row in second.unmatchedRows { tracklets[remaining[row]]?.state = .lost }

        // Tracks born last frame get one chance, at a stricter cost, with what is left.
        let leftover = first.unmatchedColumns.map { high[$0] }
        let third = associate(unconfirmed, leftover, in: detections, fuseScore: true, threshold: 0.7)
        for pair in third.pairs { absorb(unconfirmed[pair.row], detections, leftover[pair.column]) }
        for row in third.unmatchedRows { tracklets[unconfirmed[row]]?.state = .removed }

        // Births: unmatched detections confident enough.
        var born: [Int] = []
        for column in third.unmatchedColumns {
            let index = leftover[column]
            guard detections[index].confidence >= configuration.effectiveBirthThreshold else { continue }
            born.append(startTrack(detections[index], index: index))
        }

        // Lost tracks past the buffer go.
        for serial in lostSerials {
            if let tracklet = tracklets[serial], tracklet.state == .lost,
                frame - tracklet.lastFrame > configuration.maximumFramesLost
            {
                tracklets[serial]?.state = .removed
            }
        }
        rebuildLists(adding: born)
        removeDuplicates()
        return report(predicted: false)
    }

    /// Advances one frame on which no detector ran (the frames between strides): tracks
    /// move by their motion model; returns the confirmed ones where they are expected.
    public mutating func predictFrame() -> [TrackedObject] {
        frame += 1
        let confirmed = trackedSerials.filter { tracklets[$0]?.isConfirmed == true }
        predict(confirmed + lostSerials)
        for serial in confirmed { tracklets[serial]?.lastFrame = frame }
        for serial in lostSerials {
            if let tracklet = tracklets[serial], frame - tracklet.lastFrame > configuration.maximumFramesLost {
                tracklets[serial]?.state = .removed
            }
        }
        rebuildLists(adding: [])
        return report(predicted: true)
    }

    // MARK: - Steps

    private mutating func predict(_ serials: [Int]) {
        for serial in serials {
            guard var tracklet = tracklets[serial] else { continue }
            // A lost track keeps drifting but stops growing or shrinking.
            if tracklet.state != .tracked { tracklet.estimate.mean[7] = 0 }
            tracklet.estimate = filter.predict(tracklet.estimate)
            tracklets[serial] = tracklet
        }
    }

    /// The thresholded least-cost pairing of tracks (rows) with detections (columns).
    private func associate(
        _ serials: [Int], _ indices: [Int], in detections: [Detection], fuseScore: Bool, threshold: Float
    ) -> LinearAssignment.Matching {
        let costs = serials.map { serial -> [Double] in
            let tracklet = tracklets[serial]!
            let box = tracklet.box
            return indices.map { index in
                let detection = detections[index]
                if !configuration.classAgnostic && detection.classId != tracklet.classId { return 1 }
                let similarity = Double(box.iou(detection.box)) * (fuseScore ? Double(detection.confidence) : 1)
                return 1 - similarity
            }
        }
        return LinearAssignment.match(costs, columnCount: indices.count, threshold: Double(threshold))
    }

    /// A track takes a detection: corrected, tracked again, confirmed once it has enough hits.
    private mutating func absorb(_ serial: Int, _ detections: [Detection], _ index: Int) {
        guard var tracklet = tracklets[serial] else { return }
        let detection = detections[index]
        tracklet.estimate = filter.update(tracklet.estimate, measurement: BoxKalmanFilter.xyah(detection.box))
        if tracklet.state == .lost {
            tracklet.hits = 0
        } else {
            tracklet.hits += 1
        }
        tracklet.state = .tracked
        tracklet.lastFrame = frame
        tracklet.score = detection.confidence
        tracklet.matchedIndex = index
        tracklet.matchedBox = detection.box
        if tracklet.trackId == nil && tracklet.hits >= configuration.minimumHits {
            tracklet.trackId = nextTrackId
            nextTrackId += 1
        }
        tracklets[serial] = tracklet
    }

    private mutating func startTrack(_ detection: Detection, index: Int) -> Int {
        let serial = nextSerial
        nextSerial += 1
        var tracklet = Tracklet(
            serial: serial, classId: detection.classId, label: detection.label,
            estimate: filter.initiate(BoxKalmanFilter.xyah(detection.box)), score: detection.confidence,
            firstFrame: frame, lastFrame: frame, matchedIndex: index, matchedBox: detection.box)
        // Objects present from the very first frame are confirmed at once, as ByteTrack does.
        if frame == 1 && configuration.minimumHits <= 1 {
            tracklet.trackId = nextTrackId
            nextTrackId += 1
        }
        tracklets[serial] = tracklet
        return serial
    }

    private mutating func rebuildLists(adding born: [Int]) {
        let all = trackedSerials + lostSerials + born
        var seen = Set<Int>()
        trackedSerials = []
        lostSerials = []
        for serial in all where seen.insert(serial).inserted {
            switch tracklets[serial]?.state {
            case .tracked: trackedSerials.append(serial)
            case .lost: lostSerials.append(serial)
            case .removed, nil: tracklets[serial] = nil
            }
        }
    }

    /// A lost track that sits on a tracked one (IoU over 0.95) is the same object twice:
    /// the younger of the two goes.
    private mutating func removeDuplicates() {
        var droppedTracked = Set<Int>()
        var droppedLost = Set<Int>()
        for tracked in trackedSerials {
            guard let a = tracklets[tracked] else { continue }
            for lost in lostSerials {
                guard let b = tracklets[lost], a.box.iou(b.box) > 0.95 else { continue }
                if a.lastFrame - a.firstFrame > b.lastFrame - b.firstFrame {
                    droppedLost.insert(lost)
                } else {
                    droppedTracked.insert(tracked)
                }
            }
        }
        guard !droppedTracked.isEmpty || !droppedLost.isEmpty else { return }
        for serial in droppedTracked.union(droppedLost) { tracklets[serial] = nil }
        trackedSerials.removeAll { droppedTracked.contains($0) }
        lostSerials.removeAll { droppedLost.contains($0) }
    }

    private func report(predicted: Bool) -> [TrackedObject] {
        trackedSerials.compactMap { serial -> TrackedObject? in
            guard let tracklet = tracklets[serial], let trackId = tracklet.trackId else { return nil }
            return TrackedObject(
                trackId: trackId, classId: tracklet.classId, label: tracklet.label, confidence: tracklet.score,
                box: predicted ? tracklet.box : (tracklet.matchedBox ?? tracklet.box),
                detectionIndex: predicted ? nil : tracklet.matchedIndex, predicted: predicted)
        }
        .sorted { $0.trackId < $1.trackId }
    }
}
