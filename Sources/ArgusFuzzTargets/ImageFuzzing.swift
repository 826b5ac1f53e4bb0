import ArgusVision

/// The image header probe, the format sniffer, the decoder behind them, and the
/// metadata stripper.
enum ImageFuzzing {
    /// Small limits: a header may claim any size, but nothing larger is ever decoded.
    static let limits = ImageLimits(minWidth: 1, minHeight: 1, maxWidth: 256, maxHeight: 256)

    static func header(_ bytes: [UInt8]) throws(FuzzFailure) {
        let format = bytes.withUnsafeBytes { ImageFormat.sniff($0) }
        guard let header = try? ImageHeader.read(bytes) else { return }
        guard header.format == format else {
            throw FuzzFailure("the header says \(header.format), the sniffer \(String(describing: format))")
        }
        guard header.width > 0, header.height > 0, (1...8).contains(header.orientation) else {
            throw FuzzFailure("impossible header \(header)")
        }
        // A decoded image always has the size its header announced (else the limits lie).
        if let image = try? Image.decode(bytes, limits: limits) {
            let size = header.orientedSize
            guard image.width == size.width, image.height == size.height else {
                throw FuzzFailure("the header says \(size), the decoder \(image.width)x\(image.height)")
            }
        }
    }

    /// Stripping keeps what the header says (the format, the size and the orientation)
    /// and leaves no metadata block behind.
    static func metadata(_ bytes: [UInt8]) throws(FuzzFailure) {
        let header = try? ImageHeader.read(bytes)
        for format in [ImageFormat.jpeg, .png, .webp] {
            let orientation = header?.orientation ?? Int(bytes.first ?? 0) % 10
            guard let stripped = try? MetadataStripper.stripped(bytes, format: format, orientation: orientation) else { continue }
            if let leftover = MetadataBlocks.first(in: stripped, format: format) {
                throw FuzzFailure("a \(leftover) block survived stripping as \(format)")
            }
            guard let header, header.format == format else { continue }
            guard let after = try? ImageHeader.read(stripped) else {
                throw FuzzFailure("the stripped \(format) no longer has a readable header")
            }
            guard after == header else { throw FuzzFailure("stripping changed the header from \(header) to \(after)") }
        }
    }
}
