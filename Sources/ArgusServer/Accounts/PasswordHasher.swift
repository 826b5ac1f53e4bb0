import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's blocking thread pool, so a slow hash never stalls an event loop or
/// a Swift concurrency thread.
public struct PasswordHasher: Sendable {
    public let cost: Int
    /// A real hash of a random secret: checked against when an email has no account, so
    /// an unknown email costs as much time as a wrong password.
    private let decoyHash: String

    public init(cost: Int) {
        self.cost = cost
        decoyHash = Bcrypt.hash(SecretTokens.random(bytes: 16), cost: UInt8(cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Verifies against `hash`, or against the decoy when there is no account.
    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return hash != nil && matches
    }
}
