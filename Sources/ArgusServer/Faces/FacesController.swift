import ArgusCore
import ArgusVision
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPField.Name {
    static let faceCount = HTTPField.Name("X-Face-Count")!
}

/// `POST /api/v1/faces` (faces with their landmarks) and `POST /api/v1/faces/redact` (the
/// image with every face hidden, re-encoded, so no metadata survives). One image in the
/// multipart field `image`; a credential with the `write` scope.
struct FacesController {
    let dependencies: ServerDependencies
    var configuration: ServerConfiguration { dependencies.configuration }

    struct FaceRecord: Codable {
        let confidence: Float
        let bbox: BoxRecord
        let landmarks: [Point]

        init(_ face: Face) {
            confidence = face.confidence
            bbox = BoxRecord(face.box)
            landmarks = face.landmarks
        }
    }

    struct FacesResponse: ResponseEncodable {
        struct ImageSize: Codable {
            let width: Int
            let height: Int
        }
        let model: String
        let image: ImageSize
        let faces: [FaceRecord]
        let timings_ms: [String: Double]
    }

    var routes: RouteCollection<ArgusRequestContext> {
        let routes = RouteCollection(context: ArgusRequestContext.self)
        routes.post { request, context -> FacesResponse in
            let query = try FaceQuery(parameters: try RequestParameters(request, allowed: FaceQuery.detectionNames))
            let (image, output, queueMs) = try await find(request, context: context, options: query.options)
            return FacesResponse(
                model: "centerface", image: .init(width: image.width, height: image.height),
                faces: output.faces.map(FaceRecord.init),
                timings_ms: [
                    "queue": queueMs, "preprocess": output.timings.preprocess, "inference": output.timings.inference,
                    "postprocess": output.timings.postprocess,
                ])
        }
        routes.post("redact") { request, context -> Response in
            let query = try FaceQuery(parameters: try RequestParameters(request, allowed: FaceQuery.redactionNames))
            let (image, output, _) = try await find(
                request, context: context, options: query.options, redacting: (query.method, query.margin))
            return Response(
                status: .ok,
                headers: [.contentType: image.format.mediaType, .faceCount: String(output.faces.count)],
                body: .init(byteBuffer: ByteBuffer(bytes: image.bytes)))
        }
        return routes
    }

    /// A redacted image as it is answered: JPEG stays JPEG, anything else becomes PNG.
    struct Encoded {
        let format: ImageFormat
        let bytes: [UInt8]
        let width: Int
        let height: Int
    }

    /// Reads the upload (after taking a place in the inference pool, so that a refusal
    /// costs nothing) and finds its faces in one slot; with `redacting`, hides them and
    /// encodes the result in the same slot.
    private func find(
        _ request: Request, context: ArgusRequestContext, options: FaceOptions,
        redacting: (method: RedactionMethod, margin: Float)? = nil
    ) async throws -> (image: Encoded, output: FaceOutput, queueMs: Double) {
        _ = configuration.accounts.allowAnonymous ? context.identity : try context.requireIdentity(.write)
        let detector = try dependencies.faces.detector()
        let reservation = try dependencies.pool.reserve()
        let upload = try await UploadedImage.read(from: request, field: "image", maxBytes: configuration.maxUploadBytes).bytes
        let limits = configuration.imageLimits
        let enqueued = ContinuousClock.now
        let result = try await dependencies.pool.run(reservation: reservation) { () throws -> (Encoded, FaceOutput, Double) in
            let queueMs = TaskRunner.milliseconds(since: enqueued)
            let image = try Image.decode(upload, limits: limits)
            let output = try detector.detect(image, options: options)
            guard let redacting else {
                return (Encoded(format: .jpeg, bytes: [], width: image.width, height: image.height), output, queueMs)
            }
            let hidden = try image.redacted(output.faces.map(\.box), method: redacting.method, margin: redacting.margin)
            let jpeg = upload.withUnsafeBytes { ImageFormat.sniff($0) } == .jpeg
            let bytes = try hidden.encoded(as: jpeg ? .jpeg(quality: 92) : .png)
            return (Encoded(format: jpeg ? .jpeg : .png, bytes: bytes, width: image.width, height: image.height), output, queueMs)
        }
        dependencies.metrics.inferenceFinished(model: "centerface", milliseconds: result.1.timings.inference)
        return result
    }
}
