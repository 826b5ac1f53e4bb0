/// RFC 4180 CSV, the one way Argus writes it (the CLI's `--format csv` and the
/// detections export): fields quoted only when they must be, `\n` line ends, and numbers
/// in ``NumberFormat``.
public enum CSVFormat {
    /// The CLI's header line.
    public static let detectionHeader = line(["file", "label", "class_id", "confidence", "x1", "y1", "x2", "y2"])

    /// One line, without its `\n`.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",")
    }

    /// The CLI's row for one detection in one file.
    public static func row(file: String, detection: Detection) -> String {
        let box = detection.box
        return line([
            file, detection.label, String(detection.classId), NumberFormat.text(detection.confidence),
            NumberFormat.text(box.x1), NumberFormat.text(box.y1), NumberFormat.text(box.x2), NumberFormat.text(box.y2),
        ])
    }

    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        var quoted = "\""
        for character in field {
            quoted.append(character)
            if character == "\"" { quoted.append("\"") }
        }
        return quoted + "\""
    }
}
