import ArgusCore

/// What the server sends on a live session: JSON text messages, each with a `type`.
enum LiveMessage {
    /// Once the session is authenticated and taken: what it runs with.
    struct Ready: Encodable {
        let type = "ready"
        let session: String
        let model: String
        let settings: [String: String]
        /// The video the session becomes when it ends; nil unless recorded.
        let video_id: String?
        let limits: Limits
    }

    struct Limits: Encodable {
        let max_frame_bytes: Int
        let idle_seconds: Int
    }

    /// A settings message was taken: what runs from the next frame on.
    struct Settings: Encodable {
        let type = "settings"
        let model: String
        let settings: [String: String]
    }

    /// The answer to one processed frame.
    struct Result: Encodable {
        let type = "result"
        /// The frame's number: frames are counted from 1 as they arrive, dropped ones too.
        let frame: Int
        let width: Int
        let height: Int
        let detections: [Detection]
        /// Detections in this frame per class.
        let counts: [String: Int]
        /// Distinct confirmed tracks since the session (or its model) started, per class.
        let tracks: [String: Int]
        let zones: [ZoneSummary]?
        /// Frames dropped so far, because a newer one arrived before they were processed.
        let dropped: Int
        let timings_ms: Timings
    }

    /// A detection with its track's id (nil while the tracker has not confirmed it).
    struct Detection: Encodable {
        let label: String
        let class_id: Int
        let confidence: Float
        let bbox: BoxRecord
        let track_id: Int?
    }

    struct Timings: Encodable {
        /// Waiting for an inference slot.
        let queue: Double
        let decode: Double
        let inference: Double
        let track: Double
        /// From the frame's arrival to its answer being sent.
        let total: Double
    }

    /// Something the session could not take; it goes on.
    struct Problem: Encodable {
        let type = "error"
        let code: String
        let message: String
        /// The frame it concerns, if any.
        let frame: Int?
    }
}
