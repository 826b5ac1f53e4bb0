import Foundation

/// Blocking work (a child process, a pipe) run on a thread of its own and awaited: a
/// blocked cooperative thread (there are as many as cores) would starve every task of
/// the process, the HTTP server's included.
public enum BlockingWork {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.start()
        }
    }
}
