import ArgusVision

/// What the image models share: an image from an `image` input, and their parameters.
enum PixelTensor {
    /// Decodes a BYTES [1] encoded image, or takes a UINT8 [height, width, 3] RGB tensor's
    /// pixels; either way within the server's image limits.
    static func image(from tensor: InferenceTensor, limits: ImageLimits) throws -> Image {
        if tensor.datatype == .bytes {
            guard let encoded = tensor.strings.first, !encoded.isEmpty else {
                throw InferenceRequest.invalid("input '\(tensor.name)' holds no image")
            }
            return try Image.decode(encoded, limits: limits)
        }
        let height = tensor.shape[0]
        let width = tensor.shape[1]
        try limits.check(width: width, height: height)
        var bgr = tensor.bytes
        for index in stride(from: 0, to: bgr.count, by: 3) { bgr.swapAt(index, index + 2) }
        return Image(bgr: bgr, width: width, height: height)
    }

    /// Parameters the protocol or tritonclient set for the server itself, never options.
    static let reserved: Set<String> = [
        "binary_data_output", "priority", "timeout", "sequence_id", "sequence_start", "sequence_end", "headers",
    ]

    /// A request's parameters read as options: each as text, an unknown name refused.
    static func parameters(
        _ parameters: [String: InferenceParameter], allowed: Set<String>
    ) throws(APIError) -> RequestParameters {
        var texts: [String: String] = [:]
        for (name, value) in parameters where !reserved.contains(name) && !name.hasPrefix("triton_") {
            switch value {
            case .bool(let flag): texts[name] = String(flag)
            case .int(let number): texts[name] = String(number)
            case .double(let number): texts[name] = String(number)
            case .string(let text): texts[name] = text
            }
        }
        var read = RequestParameters(source: .inferenceParameter)
        try read.merge(formFields: texts, allowed: allowed)
        return read
    }
}
