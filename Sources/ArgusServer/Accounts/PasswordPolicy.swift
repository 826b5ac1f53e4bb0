import Foundation

/// What a password must be: 8 to 72 bytes (bcrypt ignores anything past 72), not only
/// spaces, not the email or its local part, not one of the most common passwords.
enum PasswordPolicy {
    static let minimumLength = 8
    static let maximumBytes = 72

    static let common: Set<String> = [
        "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop", "qwerty123",
        "iloveyou", "11111111", "00000000", "abc12345", "letmein1", "welcome1", "admin123", "passw0rd", "football",
        "baseball", "sunshine", "princess", "trustno1", "superman", "changeme", "1q2w3e4r", "zaq12wsx",
    ]

    /// The reason `password` is refused, or nil when it is acceptable.
    static func problem(with password: String, email: String) -> String? {
        if password.count < minimumLength { return "password must be at least \(minimumLength) characters" }
        if password.utf8.count > maximumBytes { return "password must be at most \(maximumBytes) bytes" }
        if password.trimmingCharacters(in: .whitespaces).isEmpty { return "password must not be only spaces" }
        let lowered = password.lowercased()
        if common.contains(lowered) { return "password is too common" }
        let localPart = email.split(separator: "@").first.map(String.init) ?? email
        if lowered == email || (localPart.count >= 4 && lowered == localPart) {
            return "password must not be your email address"
        }
        return nil
    }
}

/// Email addresses as stored: trimmed, lower-cased, one `@` with text on both sides and
/// a dot in the domain, at most 254 characters.
enum EmailAddress {
    static func normalised(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return nil }
        return email
    }
}
