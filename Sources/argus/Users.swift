import ArgumentParser
import ArgusServer
import Foundation

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage accounts in the configured database.",
        subcommands: [Create.self, List.self, Promote.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account (use --admin for the first administrator).")

        @Argument(help: "The account's email.")
        var email: String

        @Flag(help: "Make the account an administrator.")
        var admin = false

        @Option(help: "Display name (default: the email's local part).")
        var name: String?

        @Flag(help: "Read the password from standard input instead of generating one.")
        var passwordStdin = false

        func run() async throws {
            let configuration = try ServerConfiguration.fromEnvironment()
            var password = SecretPassword.generate()
            if passwordStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw ValidationError("--password-stdin: no password on standard input")
                }
                password = line
            }
            let id = try await withAccounts(configuration) { accounts in
                try await accounts.createUser(email: email, password: password, name: name, admin: admin)
            }
            print("created \(admin ? "admin" : "user") \(email) (id \(id.uuidString.lowercased()))")
            if !passwordStdin { print("password: \(password)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")

        func run() async throws {
            let configuration = try ServerConfiguration.fromEnvironment()
            let users = try await withAccounts(configuration) { try await $0.list() }
            for user in users {
                print("\(user.id.uuidString.lowercased())\t\(user.email)\t\(user.role)\(user.disabled ? "\tdisabled" : "")")
            }
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an existing account an administrator (or a user again).")

        @Argument(help: "The account's email.")
        var email: String

        @Flag(help: "Make the account a plain user instead.")
        var demote = false

        func run() async throws {
            let configuration = try ServerConfiguration.fromEnvironment()
            try await withAccounts(configuration) { try await $0.setRole(email: email, admin: !demote) }
            print("\(email) is now \(demote ? "a user" : "an admin")")
        }
    }
}

/// Opens and migrates the database, then hands the account operations to `body`.
func withAccounts<T>(_ configuration: ServerConfiguration, _ body: (Accounts) async throws -> T) async throws -> T {
    try await withDatabase(configuration) { database in
        try await database.migrate()
        let services = try await AccountServices.make(configuration: configuration, database: database)
        do {
            return try await body(Accounts(services: services))
        } catch let error as APIError {
            throw ValidationError(error.message)
        }
    }
}

enum SecretPassword {
    /// 20 characters from an alphabet without look-alikes: about 115 bits.
    static func generate() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
