import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `argus` binary as a user would.
public enum ArgusProcess {
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The `argus` executable built beside this test bundle.
    public static let executable: URL = {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("argus")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return TestEnvironment.repoRoot.appendingPathComponent(".build/debug/argus")
    }()

    public static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["ARGUS_MODELS_DIR"] = TestEnvironment.models.directory
        environment["ARGUS_ORT_LIBRARY"] = TestEnvironment.runtime.libraryPath
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs to completion; output goes through files so large outputs cannot block the pipe.
    /// The wait happens off Swift's cooperative threads: blocking one of them (two on a
    /// 2-core machine) would starve the in-process servers of the other suites.
    /// `program` runs another executable (a Python client, say) the same way.
    public static func run(
        _ arguments: [String], environment extra: [String: String] = [:], input: String? = nil, program: URL? = nil
    ) async throws
        -> Outcome
    {
        let folder = try TestEnvironment.temporaryDirectory("run")
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = program ?? executable
        process.arguments = arguments
        process.environment = environment(extra)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let input {
            let file = folder.appendingPathComponent("stdin")
            try Data(input.utf8).write(to: file)
            process.standardInput = try FileHandle(forReadingFrom: file)
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Outcome(
            status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// Starts a long-running command (such as `serve`); the caller terminates it. With
    /// `script`, bash runs that script with the binary's path before the arguments.
    public static func start(
        _ arguments: [String], environment extra: [String: String] = [:], log: URL, script: String? = nil
    ) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        if let script {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [TestEnvironment.repoRoot.appendingPathComponent(script).path, executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.environment = environment(extra)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// A TCP port nothing listens on right now.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(descriptor, pointer, length) == 0 else { return -1 }
                return getsockname(descriptor, pointer, &length)
            }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
