import ArgusCore
import Foundation

/// The detector over a video's frames on several threads at once, results handed back in
/// frame order: runs of single-threaded sessions side by side use the cores better than
/// one run on all of them (two of one thread beat one of two by 36 % on 2 cores, see
/// docs/performance.md), and the tracker still sees the frames one after another.
/// Frames between strides are passed through undetected.
final class DetectionStage: @unchecked Sendable {
    struct Result {
        let frame: Int
        let image: Image
        /// Nil on a frame between strides.
        let detections: [Detection]?
        let nanoseconds: UInt64
        let error: String?
    }

    private let condition = NSCondition()
    private var ready: [Int: Result] = [:]
    private var nextFrame = 1
    private var taken = 0
    private var running: Int
    private var abandoned = false
    /// Results waiting beyond the next one: a worker ahead of the tracker waits here.
    private let capacity: Int
    private let takeLock = NSLock()
    private let done = DispatchGroup()

    init(workers: Int, input: BoundedQueue<Image>, detect: @escaping @Sendable (Image) throws -> [Detection], stride: Int) {
        let workers = max(1, workers)
        running = workers
        capacity = workers * 2
        for _ in 0..<workers {
            done.enter()
            Thread { [self] in
                work(input: input, detect: detect, stride: max(1, stride))
                done.leave()
            }.start()
        }
    }

    private func work(input: BoundedQueue<Image>, detect: (Image) throws -> [Detection], stride: Int) {
        while true {
            // Frames are numbered as they are taken, so the numbers follow the decoder's order.
            takeLock.lock()
            guard let image = input.take() else {
                takeLock.unlock()
                break
            }
            taken += 1
            let frame = taken
            takeLock.unlock()
            var result = Result(frame: frame, image: image, detections: nil, nanoseconds: 0, error: nil)
            if (frame - 1) % stride == 0 {
                let before = DispatchTime.now().uptimeNanoseconds
                do {
                    result = Result(
                        frame: frame, image: image, detections: try detect(image),
                        nanoseconds: DispatchTime.now().uptimeNanoseconds - before, error: nil)
                } catch {
                    result = Result(
                        frame: frame, image: image, detections: nil, nanoseconds: 0,
                        error: "detection failed on frame \(frame): \(error)")
                }
            }
            condition.lock()
            // The next frame the tracker needs never waits, so the stage cannot stall.
            while ready.count >= capacity && frame != nextFrame && !abandoned { condition.wait() }
            let keep = !abandoned
            if keep { ready[frame] = result }
            condition.broadcast()
            condition.unlock()
            guard keep else { break }
        }
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next frame in order; nil after the last one, or once abandoned.
    func next() -> Result? {
        condition.lock()
        defer { condition.unlock() }
        while ready[nextFrame] == nil && running > 0 && !abandoned { condition.wait() }
        guard !abandoned, let result = ready.removeValue(forKey: nextFrame) else { return nil }
        nextFrame += 1
        condition.broadcast()
        return result
    }

    /// Stops handing results back and lets every worker go (the input must be abandoned or
    /// finished too); waits for them.
    func abandonAndWait() {
        condition.lock()
        abandoned = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
        done.wait()
    }
}
