import Foundation

/// Everything the account routes and the authentication middleware share.
public struct AccountServices: Sendable {
    public let database: ArgusDatabase
    public let hasher: PasswordHasher
    public let accessTokens: AccessTokens
    public let settings: AccountSettings

    public init(database: ArgusDatabase, hasher: PasswordHasher, accessTokens: AccessTokens, settings: AccountSettings) {
        self.database = database
        self.hasher = hasher
        self.accessTokens = accessTokens
        self.settings = settings
    }
}

/// Account rules from the configuration.
public struct AccountSettings: Sendable {
    public var accessTokenLifetime: TimeInterval = 15 * 60
    public var refreshTokenLifetime: TimeInterval = 30 * 24 * 3600
    public var bcryptCost = 12
    /// Failed sign-ins for one email before it is locked, and for how long.
    public var loginMaxFailures = 5
    public var loginLockout: TimeInterval = 15 * 60
    public var allowSignup = true
    /// Lets `/api/v1/detect` run without credentials.
    public var allowAnonymous = false
    /// How long a password-reset link works.
    public var passwordResetLifetime: TimeInterval = 3600

    public init() {}
}

extension AccountServices {
    public static func make(configuration: ServerConfiguration, database: ArgusDatabase) async throws -> AccountServices {
        let secret = try JWTSecret.resolve(
            secret: configuration.jwtSecret, file: configuration.jwtSecretFile, dataDirectory: configuration.dataDirectory)
        return await make(configuration: configuration, database: database, secret: secret)
    }

    static func make(configuration: ServerConfiguration, database: ArgusDatabase, secret: String) async -> AccountServices {
        AccountServices(
            database: database, hasher: PasswordHasher(cost: configuration.accounts.bcryptCost),
            accessTokens: await AccessTokens(secret: secret, lifetime: configuration.accounts.accessTokenLifetime),
            settings: configuration.accounts)
    }
}
