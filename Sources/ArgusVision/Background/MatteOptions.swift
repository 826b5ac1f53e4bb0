/// How the model's saliency map becomes the alpha matte.
public struct MatteOptions: Sendable, Hashable {
    /// Off: the normalised saliency itself is the alpha, as rembg answers it.
    public var refine = true
    /// Foreground where the normalised saliency is at least this.
    public var threshold: Float = 0.5
    /// The width (pixels of the image) of the closing-then-opening kernel; nil scales it
    /// with the image (1/300 of its shorter side, at least 3); 0 turns it off. Wider
    /// kernels erase real detail (legs, spokes, gaps between them): on DAVIS 2016 a kernel
    /// of 1/100 of the side lowered the mean IoU (bench/background_eval.py).
    public var kernel: Int?
    /// Components smaller than this share of the largest one are dropped (specks the
    /// model saw in the background); 0 keeps them all.
    public var minComponent: Float = 0.001
    /// The Gaussian sigma (pixels) that softens the refined edge; nil scales it with the
    /// image (1/500 of its shorter side, at least 1); 0 gives a hard edge.
    public var feather: Float?

    public init() {}

    /// The kernel used for an image of this size (odd, so that it is centred).
    public func kernel(width: Int, height: Int) -> Int {
        let side = kernel ?? max(3, min(width, height) / 300)
        return side < 2 ? 0 : side | 1
    }

    public func feather(width: Int, height: Int) -> Float {
        feather ?? max(1, Float(min(width, height)) / 500)
    }
}
