/// The one number format of coordinates, radii and confidences, in JSON, CSV and COCO
/// alike: they are computed as 32-bit floats, so they are printed as the shortest
/// decimal that reads back as the same float (`124.42319`), never with the noise of a
/// widened double (`124.42318725585938`) or rounded to fewer digits.
public enum NumberFormat {
    /// A stored value (databases keep doubles) as the float it was computed as.
    public static func float(_ value: Double) -> Float { Float(value) }

    /// As JSON prints the float: whole numbers without a decimal point (`512`).
    public static func text(_ value: Float) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e9 ? String(Int64(value)) : String(value)
    }

    public static func text(_ value: Double) -> String { text(Float(value)) }

    /// A stored value exactly as the API shows it, for figures derived from shown ones
    /// (a box's centroid is the midpoint of the corners a client reads).
    public static func shown(_ value: Double) -> Double { Double(text(value)) ?? value }

    /// A derived figure (a centroid, the radius of a box's circle), rounded to six
    /// decimals so that it prints as a short decimal too (`253.359985`, not
    /// `253.35998499999998`). Division is correctly rounded, so the result is the double
    /// nearest that decimal, and prints as it.
    public static func derived(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
}
