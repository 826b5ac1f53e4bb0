import ArgusVision
import Crypto
import Foundation

/// What a background removal asks for: read from a request's query and form fields,
/// kept in an upload task's payload, and carried by the signed link to its result.
struct CutoutSettings: Codable, Sendable, Hashable {
    var model = BackgroundModel.default.rawValue
    var refine = true
    var kernel: Int?
    var feather: Float?
    var mask_only = false
    var bg_color: String?
    var bg_image_id: UUID?
    var trim = false
    var padding = 0
    var decontaminate = true
    var format = CutoutFormat.png.rawValue

    /// The parameters a request may set; the model's is `model` on the background route
    /// and `bg_model` in the upload flow (where `model` is the detector's).
    static func names(model: String) -> Set<String> {
        [
            model, "refine", "kernel", "feather", "mask_only", "bg_color", "bg_image_id", "trim", "padding", "decontaminate",
            "format",
        ]
    }

    init() {}

    init(parameters: RequestParameters, model modelName: String = "model") throws(APIError) {
        model = try parameters.choice(modelName, default: BackgroundModel.default).rawValue
        refine = try parameters.boolean("refine") ?? refine
        kernel = try parameters.integer("kernel", in: 0...255)
        feather = try parameters.number("feather", in: 0...100).map(Float.init)
        mask_only = try parameters.boolean("mask_only") ?? mask_only
        if let colour = parameters["bg_color"] {
            guard CutoutOptions.Background.color(hex: colour) != nil else {
                throw .badRequest("invalid_parameter", "bg_color must be a colour such as #ffffff or ffffff")
            }
            bg_color = colour
        }
        if let id = parameters["bg_image_id"] {
            guard let uuid = UUID(uuidString: id) else {
                throw .badRequest("invalid_parameter", "bg_image_id must be the id of one of your stored images")
            }
            bg_image_id = uuid
        }
        if bg_color != nil && bg_image_id != nil {
            throw .badRequest("invalid_parameter", "give bg_color or bg_image_id, not both")
        }
        trim = try parameters.boolean("trim") ?? trim
        padding = try parameters.integer("padding", default: padding, in: 0...4096)
        decontaminate = try parameters.boolean("decontaminate") ?? decontaminate
        let format = try parameters.choice("format", default: CutoutFormat.png)
        if format == .jpeg && !mask_only && bg_color == nil && bg_image_id == nil {
            throw .badRequest("invalid_parameter", CutoutError.jpegHasNoAlpha.description)
        }
        self.format = format.rawValue
    }

    var backgroundModel: BackgroundModel { BackgroundModel(rawValue: model) ?? .default }
    var cutoutFormat: CutoutFormat { CutoutFormat(rawValue: format) ?? .png }

    var matteOptions: MatteOptions {
        var options = MatteOptions()
        options.refine = refine
        options.kernel = kernel
        options.feather = feather
        return options
    }

    /// The rendering options, with the background image when `bg_image_id` names one.
    func cutoutOptions(backgroundImage: Image?) -> CutoutOptions {
        var options = CutoutOptions()
        options.format = cutoutFormat
        options.trim = trim
        options.padding = padding
        options.decontaminate = decontaminate
        if mask_only {
            options.background = .mask
        } else if let backgroundImage {
            options.background = .image(backgroundImage)
        } else if let bg_color, let colour = CutoutOptions.Background.color(hex: bg_color) {
            options.background = colour
        }
        return options
    }

    /// The settings as URL-safe text (base64url of their JSON, keys sorted), for a signed link.
    var token: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return SecretTokens.base64URL((try? encoder.encode(self)) ?? Data())
    }

    init?(token: Substring) {
        guard let data = SignedURLs.decode(token), let settings = try? JSONDecoder().decode(CutoutSettings.self, from: data)
        else { return nil }
        self = settings
    }

    /// The cached rendering's file name: the same settings, the same file.
    var cacheName: String {
        let digest = SHA256.hash(data: Data(token.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return "cutout-\(digest).\(cutoutFormat == .jpeg ? "jpg" : cutoutFormat.rawValue)"
    }
}
