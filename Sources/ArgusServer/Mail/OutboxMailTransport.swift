import Foundation

/// The default transport: one `.eml` file per message in a folder (`<ARGUS_DATA_DIR>/outbox`),
/// so that a fresh server loses no mail and needs no mail server. Any mail program opens
/// the files; an operator switches to SMTP or Brevo when ready.
struct OutboxMailTransport: MailTransport {
    let directory: String

    var name: String { "outbox \(directory)" }

    func send(_ message: MailMessage) async throws {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let stamp = Self.stamp(message.date)
            let id = message.messageId.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).split(separator: "@")[0]
            let file = folder.appendingPathComponent("\(stamp)-\(id).eml")
            // Written whole, then renamed: a reader never sees half a message.
            try Data(message.rendered().utf8).write(to: file, options: .atomic)
        } catch {
            throw MailDeliveryError.transient("cannot write to the outbox \(directory): \(error.localizedDescription)")
        }
    }

    /// `20261201T140000Z`: the files sort by date.
    private static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
