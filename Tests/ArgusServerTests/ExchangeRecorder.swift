import ArgusTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Synchronization
import Testing

/// Every request the HTTP suite makes and the answer it got, one JSON line each, for
/// `scripts/validate_exchanges.py` to check against the API document (status code,
/// content type, body schema) after the run. `scripts/run-tests.sh` empties the folder
/// before each pass and fails the run on any answer the document does not describe.
enum ExchangeRecorder {
    /// `ARGUS_TEST_EXCHANGES_DIR`, or `.build/test-exchanges` in the repository.
    static let directory: URL = {
        if let path = ProcessInfo.processInfo.environment["ARGUS_TEST_EXCHANGES_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return TestEnvironment.repoRoot.appendingPathComponent(".build/test-exchanges")
    }()

    private static let file = Mutex<FileHandle?>(nil)

    static func record(
        uri: String, method: HTTPRequest.Method, requestHeaders: HTTPFields, response: TestResponse
    ) {
        let line: [String: Any] = [
            "test": Test.current?.name ?? "?",
            "method": method.rawValue,
            "uri": uri,
            "request_content_type": requestHeaders[.contentType] ?? NSNull(),
            "status": Int(response.status.code),
            "content_type": response.headers[.contentType] ?? NSNull(),
            "body_base64": Data(buffer: response.body).base64EncodedString(),
        ]
        guard var data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        file.withLock { handle in
            if handle == nil {
                try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let url = directory.appendingPathComponent("swift-\(ProcessInfo.processInfo.processIdentifier).jsonl")
                if !FileManager.default.fileExists(atPath: url.path) {
                    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
                }
                handle = try? FileHandle(forWritingTo: url)
                _ = try? handle?.seekToEnd()
            }
            handle?.write(data)
        }
    }
}

/// A test client that records each exchange, around the live or in-process one.
struct RecordingClient: TestClientProtocol {
    let base: any TestClientProtocol

    var port: Int? { base.port }

    func executeRequest(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?
    ) async throws
        -> TestResponse
    {
        let response = try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
        ExchangeRecorder.record(uri: uri, method: method, requestHeaders: headers, response: response)
        return response
    }
}
