import ArgusVision

/// Limits of `POST /api/v1/remove-background` and the `remove-background` upload task.
public struct BackgroundRemovalSettings: Sendable {
    /// The seed service's limits: 50×50 to 4096×4096 pixels.
    public var limits = ImageLimits(minWidth: 50, minHeight: 50, maxWidth: 4096, maxHeight: 4096)
    /// Images up to this many pixels are answered at once; larger ones become an upload
    /// with a `remove-background` task (202), so a request never holds a slot for long.
    public var syncMaxPixels = 4_194_304

    public init() {}
}
