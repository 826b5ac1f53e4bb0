import ArgusServer
import NIOCore

/// The multipart parser, fed the same body whole and in chunks: both must give the
/// same parts, byte for byte, or the same error.
enum MultipartFuzzing {
    /// Small limits, so that fuzzed inputs of a few kilobytes reach every limit too.
    static let limits = MultipartLimits(maxBodyBytes: 1 << 20, maxParts: 8, maxHeaderBytes: 256, maxNameBytes: 16)

    struct Outcome: Equatable {
        var heads: [MultipartPartHead] = []
        var bodies: [[UInt8]] = []
        var ended = false
        var error: MultipartError?
    }

    /// The first byte picks the chunk size; the rest is the body, with the boundary `XX`
    /// (its first line is also read as a Content-Type).
    static func run(_ input: [UInt8]) throws(FuzzFailure) {
        guard let first = input.first else { return }
        let body = Array(input.dropFirst())
        let firstLine = body.prefix { $0 != UInt8(ascii: "\n") }.prefix(300)
        _ = try? MultipartParser.boundary(fromContentType: String(decoding: firstLine, as: UTF8.self))
        let whole = parse(body, chunkSize: body.count)
        let chunked = parse(body, chunkSize: 1 + Int(first % 32))
        guard whole == chunked else {
            throw FuzzFailure("chunks of \(1 + Int(first % 32)) bytes parse differently: \(chunked) against \(whole)")
        }
        if whole.error == nil, !whole.ended { throw FuzzFailure("the parse stopped without an end or an error") }
    }

    static func parse(_ body: [UInt8], chunkSize: Int) -> Outcome {
        var outcome = Outcome()
        do {
            var parser = try MultipartParser(boundary: "XX", limits: limits)
            var offset = 0
            while !outcome.ended {
                while let event = try parser.next() {
                    switch event {
                    case .partStart(let head):
                        outcome.heads.append(head)
                        outcome.bodies.append([])
                    case .body(let chunk):
                        guard !outcome.bodies.isEmpty else { return outcome }
                        outcome.bodies[outcome.bodies.count - 1] += chunk.readableBytesView
                    case .partEnd:
                        break
                    case .end:
                        outcome.ended = true
                    }
                    if outcome.ended { break }
                }
                if outcome.ended { break }
                if offset < body.count {
                    let end = min(body.count, offset + max(chunkSize, 1))
                    try parser.append(ByteBuffer(bytes: body[offset..<end]))
                    offset = end
                } else {
                    parser.finishInput()
                }
            }
            if (try parser.next()) != nil { outcome.error = .malformed("an event after the end") }
        } catch {
            outcome.error = error
        }
        return outcome
    }
}
