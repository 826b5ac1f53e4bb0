import Foundation
import Mustache

/// The mails Argus sends, each as three mustache templates: `<name>.subject`,
/// `<name>.txt` and `<name>.html` (which fills the blocks of `layout`). The built-in
/// templates are compiled into the binary; a file `<name>.<part>.mustache` in
/// `ARGUS_MAIL_TEMPLATES_DIR` replaces the built-in one of that name.
struct MailTemplates: Sendable {
    enum Mail: String, Sendable, CaseIterable, Codable {
        case welcome
        case jobEnded = "job_ended"
        case weeklyReport = "weekly_report"
        case passwordReset = "password_reset"
    }

    let library: MustacheLibrary

    /// The built-in templates, by the name a partial uses.
    static let builtIn: [String: [UInt8]] = [
        "layout": PackageResources.layout_mustache,
        "welcome.subject": PackageResources.welcome_subject_mustache,
        "welcome.txt": PackageResources.welcome_txt_mustache,
        "welcome.html": PackageResources.welcome_html_mustache,
        "job_ended.subject": PackageResources.job_ended_subject_mustache,
        "job_ended.txt": PackageResources.job_ended_txt_mustache,
        "job_ended.html": PackageResources.job_ended_html_mustache,
        "weekly_report.subject": PackageResources.weekly_report_subject_mustache,
        "weekly_report.txt": PackageResources.weekly_report_txt_mustache,
        "weekly_report.html": PackageResources.weekly_report_html_mustache,
        "password_reset.subject": PackageResources.password_reset_subject_mustache,
        "password_reset.txt": PackageResources.password_reset_txt_mustache,
        "password_reset.html": PackageResources.password_reset_html_mustache,
    ]

    /// - Throws: `ConfigurationError` naming the file when a template does not parse, so
    ///   that a broken override stops the start, not a mail at 3 a.m.
    init(overridesDirectory: String? = nil) throws(ConfigurationError) {
        var library = MustacheLibrary()
        var sources = Self.builtIn.mapValues { String(decoding: $0, as: UTF8.self) }
        if let overridesDirectory {
            let folder = URL(fileURLWithPath: overridesDirectory, isDirectory: true)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: overridesDirectory) else {
                throw ConfigurationError(description: "ARGUS_MAIL_TEMPLATES_DIR=\(overridesDirectory) cannot be read")
            }
            for file in files where file.hasSuffix(".mustache") {
                let name = String(file.dropLast(".mustache".count))
                guard sources[name] != nil else {
                    throw ConfigurationError(
                        description:
                            "ARGUS_MAIL_TEMPLATES_DIR has \(file), which replaces no template; the names are \(Self.builtIn.keys.sorted().joined(separator: ", "))"
                    )
                }
                guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else {
                    throw ConfigurationError(description: "ARGUS_MAIL_TEMPLATES_DIR: \(file) cannot be read as UTF-8")
                }
                sources[name] = text
            }
        }
        for (name, text) in sources {
            do {
                try library.register(text, named: name)
            } catch {
                throw ConfigurationError(description: "the mail template \(name) does not parse: \(error)")
            }
        }
        self.library = library
    }

    struct Rendered: Sendable {
        let subject: String
        let text: String
        let html: String
    }

    /// Renders the three parts of `mail` with `values` (JSON-like: strings, numbers,
    /// booleans, arrays and dictionaries).
    func render(_ mail: Mail, _ values: [String: Any]) -> Rendered {
        let name = mail.rawValue
        let subject = library.render(values, withTemplate: "\(name).subject") ?? "Argus"
        return Rendered(
            subject: subject.trimmingCharacters(in: .whitespacesAndNewlines).filter { !$0.isNewline },
            text: library.render(values, withTemplate: "\(name).txt") ?? "",
            html: library.render(values, withTemplate: "\(name).html") ?? "")
    }
}
