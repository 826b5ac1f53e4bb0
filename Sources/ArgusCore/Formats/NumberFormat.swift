/// The one number format of coordinates, radii and confidences, in JSON, CSV and COCO
/// alike: they are computed as 32-bit floats, so they are printed as the shortest
/// decimal that reads back as the same float (`124.42319`), never with the noise of a
/// widened double (`124.42318725585938`) or rounded to fewer digits.
public enum NumberFormat {
    /// A stored value (databases keep doubles) as the float it was computed as.
    public static func float(_ value: Double) -> Float { Float(value) }

    public static func text(_ value: Float) -> String { String(value) }

    public static func text(_ value: Double) -> String { text(Float(value)) }

    /// A stored value exactly as the API shows it, for figures derived from shown ones
    /// (a box's centroid is the midpoint of the corners a client reads).
    public static func shown(_ value: Double) -> Double { Double(text(value)) ?? value }
}
