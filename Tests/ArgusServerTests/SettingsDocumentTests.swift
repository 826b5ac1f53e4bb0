import ArgusServer
import ArgusTestSupport
import Foundation
import Testing

/// The settings table of docs/configuration.md is the one the code declares.
@Suite struct SettingsDocumentTests {
    @Test func documentedTableEqualsTheDeclarations() throws {
        let document = try String(
            contentsOf: TestEnvironment.repoRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let begin = try #require(document.range(of: "<!-- settings table:"))
        let tableStart = try #require(document[begin.upperBound...].firstIndex(of: "\n"))
        let end = try #require(document.range(of: "<!-- end of settings table -->"))
        let documented = String(document[document.index(after: tableStart)..<end.lowerBound])
        #expect(documented == ServerConfiguration.settingsTable, "run `make settings-doc` to rewrite the table")
    }

    @Test func everySettingIsReadAndShownUnderItsName() throws {
        let names = ServerConfiguration.settings.map(\.name)
        #expect(Set(names).count == names.count, "a setting is declared twice")
        let shown = ServerConfiguration().effectiveSettings.map(\.name)
        #expect(shown == names)
        // A value out of range names its variable.
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["ARGUS_PORT": "70000"]) }
        let configuration = try ServerConfiguration(environment: [
            "ARGUS_PORT": " 9000 ", "ARGUS_LOG_LEVEL": "DEBUG", "ARGUS_HOST": "",
        ])
        #expect(configuration.port == 9000)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.host == "127.0.0.1")
        let unset = Dictionary(uniqueKeysWithValues: ServerConfiguration().effectiveSettings.map { ($0.name, $0.value) })
        #expect(unset["ARGUS_CIRCLES_URL"] == "(unset)")
        #expect(unset["ARGUS_CORS_ORIGINS"] == "(unset)")
    }
}
