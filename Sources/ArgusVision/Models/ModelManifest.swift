import ArgusCore

/// The detector output layouts Argus can decode.
public enum DetectorFamily: String, Codable, Sendable, CaseIterable {
    /// Raw Darknet YOLO layer maps [1, A·(5+C), H, W]; anchors in the manifest.
    case darknetYOLO = "darknet-yolo"
    /// Decoded rows [1, N, 5+C]: cx, cy, w, h (input pixels), objectness, class scores.
    case yolov5
    /// YOLOX raw grid rows [1, N, 5+C] over strides 8/16/32.
    case yolox
    /// Ultralytics YOLOv8/11 [1, 4+C, N]: cx, cy, w, h, class scores; no objectness.
    case yolov8
    /// Generalised Focal Loss heads (PicoDet, NanoDet): class [1, N, C] and box [1, N, 4·bins] per stride.
    case gfl
}

/// How an image becomes the model's input tensor (always planar NCHW float32).
public struct InputSpec: Codable, Sendable, Hashable {
    public enum Resize: String, Codable, Sendable {
        /// Plain resize to the input size, aspect not kept.
        case stretch
        /// Aspect kept, image at the top-left, padding right and bottom.
        case letterbox
        /// Aspect kept, image centred.
        case letterboxCenter = "letterbox-center"
    }

    public enum ColorOrder: String, Codable, Sendable { case rgb, bgr }

    public var width: Int
    public var height: Int
    public var resize: Resize
    public var color: ColorOrder
    /// Pixel values are multiplied by `scale`, then `mean` is subtracted and the result divided by `std`.
    public var scale: Float
    public var mean: [Float]
    public var std: [Float]
    public var padValue: Int

    enum CodingKeys: String, CodingKey {
        case width, height, resize, color, scale, mean, std
        case padValue = "pad_value"
    }

    public init(
        width: Int, height: Int, resize: Resize, color: ColorOrder, scale: Float = 1,
        mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1], padValue: Int = 114
    ) {
        self.width = width
        self.height = height
        self.resize = resize
        self.color = color
        self.scale = scale
        self.mean = mean
        self.std = std
        self.padValue = padValue
    }

    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]
}

/// Anchors of one Darknet YOLO output, in input pixels.
public struct AnchorSet: Codable, Sendable, Hashable {
    public var stride: Int
    public var anchors: [[Float]]

    public init(stride: Int, anchors: [[Float]]) {
        self.stride = stride
        self.anchors = anchors
    }
}

/// Everything Argus needs to know to load, verify and run a model.
public struct ModelManifest: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var task: String
    public var family: DetectorFamily
    public var file: String
    public var sha256: String?
    /// Where `argus models pull` downloads the file; nil when setup builds it.
    public var url: String?
    public var input: InputSpec
    public var labels: [String]
    public var licence: String
    public var source: String
    /// Strides of the output grids (YOLOX, GFL).
    public var strides: [Int]?
    /// Darknet YOLO anchors per output.
    public var anchors: [AnchorSet]?
    /// GFL: bins per box side.
    public var regMax: Int?
    /// GFL: grid cell centre offset, in cells (0.5 = cell centre).
    public var centerOffset: Float?

    enum CodingKeys: String, CodingKey {
        case id, task, family, file, sha256, url, input, labels, licence, source, strides, anchors
        case regMax = "reg_max"
        case centerOffset = "center_offset"
    }

    public init(
        id: String, task: String = "detection", family: DetectorFamily, file: String, sha256: String? = nil,
        url: String? = nil, input: InputSpec, labels: [String] = COCOCategories.names, licence: String,
        source: String, strides: [Int]? = nil, anchors: [AnchorSet]? = nil, regMax: Int? = nil,
        centerOffset: Float? = nil
    ) {
        self.id = id
        self.task = task
        self.family = family
        self.file = file
        self.sha256 = sha256
        self.url = url
        self.input = input
        self.labels = labels
        self.licence = licence
        self.source = source
        self.strides = strides
        self.anchors = anchors
        self.regMax = regMax
        self.centerOffset = centerOffset
    }

    /// True when the labels are COCO's 80 classes, so COCO category ids apply.
    public var usesCOCOLabels: Bool { labels == COCOCategories.names }

    /// A model id is a file-name-safe slug.
    public static func isValidId(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.first != "." && id.first != "-"
            && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}
