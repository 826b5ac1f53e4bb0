import ArgusTestSupport
import ArgusVision
import Foundation
import HTTPTypes
import NIOCore
import NIOFoundationCompat
import Testing

@testable import ArgusServer

/// `/api/v1/videos`: a real clip uploaded, processed by the `video.track` job (ffmpeg, the
/// detector, ByteTrack, the encoder), and its results fetched as a browser would.
@Suite struct VideosAPITests {
    private func upload(
        _ api: APIClient, _ user: APIClient.User, bytes: [UInt8], filename: String = "clip.mp4", query: String = "",
        fields: [String: String] = [:]
    ) async throws -> APIClient.Response {
        var body = MultipartBody()
        for (name, value) in fields { body.addField(name: name, value: value) }
        body.addFile(name: "file", filename: filename, contentType: "video/mp4", bytes: bytes)
        return try await api.multipart("/api/v1/videos" + query, body, as: user)
    }

    @Test func aVideoIsTrackedAsAJobAndItsResultsAreServed() async throws {
        let folder = try TestEnvironment.temporaryDirectory("videos-api")
        let clip = [UInt8](try Data(contentsOf: try await VideoFixtures.clip(seconds: 3, in: folder)))
        try await TestServer.run(try await JobQueueTests.configuration()) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let zones = #"[{"name": "middle", "line": [[384, -5000], [384, 5000]], "margin": 0}]"#
            let accepted = try await upload(api, user, bytes: clip, query: "?classes=person", fields: ["zones": zones])
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let id = try #require(accepted.json["id"] as? String)
            #expect(accepted.json["status"] as? String == "queued" && accepted.json["filename"] as? String == "clip.mp4")
            let probe = try #require(accepted.json["video"] as? [String: Any])
            #expect(probe["width"] as? Int == 768 && probe["frame_count"] as? Int == 30 && probe["codec"] as? String == "h264")
            #expect(try await api.get("/api/v1/videos/\(id)/tracks", as: user).errorCode == "video_not_ready")

            try await JobQueueTests.withWorkers(dependencies) {
                try await JobQueueTests.waitUntil(120) {
                    let status = try await api.get("/api/v1/videos/\(id)", as: user).json["status"] as? String
                    return status == "done" || status == "failed"
                }
            }
            let video = try await api.get("/api/v1/videos/\(id)", as: user)
            #expect(video.json["status"] as? String == "done", "\(String(buffer: video.body))")
            let summary = try #require(video.json["summary"] as? [String: Any])
            #expect(summary["frames"] as? Int == 30 && summary["detected_frames"] as? Int == 30)
            let trackCount = try #require(video.json["track_count"] as? Int)
            #expect(trackCount >= 3 && (summary["unique_tracks"] as? [String: Int]) == ["person": trackCount])
            #expect((summary["zones"] as? [[String: Any]])?.first?["name"] as? String == "middle")

            // The tracks three ways, from the same run.
            let json = try await api.get("/api/v1/videos/\(id)/tracks", as: user)
            #expect(json.status == .ok && json.header("Content-Type") == "application/json")
            let tracks = json.jsonArray
            #expect(tracks.count == trackCount && tracks.allSatisfy { $0["label"] as? String == "person" })
            let boxes = tracks.reduce(0) { $0 + (($1["boxes"] as? [Any])?.count ?? 0) }
            let mot = try await api.get("/api/v1/videos/\(id)/tracks?format=mot", as: user)
            #expect(String(buffer: mot.body).split(separator: "\n").count == boxes)
            let csv = String(buffer: try await api.get("/api/v1/videos/\(id)/tracks?format=csv", as: user).body)
            #expect(csv.hasPrefix("frame,track_id,label,") && csv.split(separator: "\n").count == boxes + 1)
            #expect(try await api.get("/api/v1/videos/\(id)/tracks?format=xml", as: user).status == .badRequest)

            // The annotated MP4 plays (H.264, every frame) and seeks (Range).
            let annotated = try await api.get("/api/v1/videos/\(id)/annotated", as: user)
            #expect(annotated.status == .ok && annotated.header("Content-Type") == "video/mp4")
            #expect(annotated.header("Accept-Ranges") == "bytes")
            let mp4 = [UInt8](annotated.body.readableBytesView)
            let saved = folder.appendingPathComponent("annotated.mp4")
            try Data(mp4).write(to: saved)
            let stream = try #require((try await VideoFixtures.ffprobe(saved.path)["streams"] as? [[String: Any]])?.first)
            #expect(stream["codec_name"] as? String == "h264" && stream["nb_read_frames"] as? String == "30")
            #expect(stream["pix_fmt"] as? String == "yuv420p")
            func range(_ value: String, _ path: String) async throws -> APIClient.Response {
                var headers = user.bearer
                headers[.range] = value
                return try await api.request(.get, path, headers: headers)
            }
            let path = "/api/v1/videos/\(id)/annotated"
            let head = try await range("bytes=0-99", path)
            #expect(head.status == .partialContent && [UInt8](head.body.readableBytesView) == Array(mp4[0..<100]))
            #expect(head.header("Content-Range") == "bytes 0-99/\(mp4.count)")
            let tail = try await range("bytes=-10", path)
            #expect(tail.status == .partialContent && [UInt8](tail.body.readableBytesView) == Array(mp4.suffix(10)))
            let middle = try await range("bytes=1000-", path)
            #expect([UInt8](middle.body.readableBytesView) == Array(mp4[1000...]))
            let past = try await range("bytes=\(mp4.count)-", path)
            #expect(past.status == .rangeNotSatisfiable && past.header("Content-Range") == "bytes */\(mp4.count)")

            // The signed link opens it without credentials (a <video> element), and seeks too.
            let links = try #require(video.json["links"] as? [String: String])
            let signed = try #require(links["annotated_url"])
            let open = try await api.request(.get, signed, headers: [.range: "bytes=0-9"])
            #expect(open.status == .partialContent && [UInt8](open.body.readableBytesView) == Array(mp4[0..<10]))
            let thumbnail = try await api.get("/api/v1/videos/\(id)/thumbnail", as: user)
            #expect(thumbnail.status == .ok && Array(thumbnail.body.readableBytesView.prefix(2)) == [0xFF, 0xD8])

            let allStats = try await api.get("/api/v1/stats", as: user).json
            // The video's track run is counted under `videos`, not with the image runs.
            #expect(allStats["runs"] as? Int == 0 && (allStats["objects_per_label"] as? [String: Int])?.isEmpty == true)
            let stats = try #require(allStats["videos"] as? [String: Any])
            #expect(stats["uploaded"] as? Int == 1 && stats["done"] as? Int == 1 && stats["frames"] as? Int == 30)
            #expect((stats["tracks_per_label"] as? [String: Int]) == ["person": trackCount])
            let list = try await api.get("/api/v1/videos", as: user)
            #expect((list.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let other = try await api.signUp()
            #expect(try await api.get("/api/v1/videos/\(id)", as: other).status == .notFound)
            #expect(try await api.get("/api/v1/videos/\(id)/annotated", as: other).status == .notFound)
            #expect((try await api.get("/api/v1/videos", as: other).json["items"] as? [Any])?.isEmpty == true)

            // The video is in the history as a `track` run whose objects are its tracks, and so
            // in the exports.
            let history = try await api.get("/api/v1/detect/history?task=track", as: user)
            let runs = try #require(history.json["items"] as? [[String: Any]])
            #expect(runs.count == 1 && runs.first?["video_id"] as? String == id, "\(runs)")
            #expect(runs.first?["object_count"] as? Int == trackCount && runs.first?["task"] as? String == "track")
            let objects = try #require(runs.first?["objects"] as? [[String: Any]])
            #expect(objects.count == trackCount && objects.allSatisfy { $0["label"] as? String == "person" })
            let exported = String(buffer: try await api.get("/api/v1/exports/detections?format=csv", as: user).body)
            let trackRows = exported.split(separator: "\n").filter { $0.contains(",track,") && $0.hasSuffix(id) }
            #expect(trackRows.count == trackCount, "\(exported.prefix(400))")
            let jsonExport = try await api.get("/api/v1/exports/detections?format=json", as: user).jsonArray
            #expect(jsonExport.filter { $0["video_id"] as? String == id && $0["kind"] as? String == "track" }.count == trackCount)

            #expect(try await api.request(.delete, "/api/v1/videos/\(id)", headers: user.bearer).status == .noContent)
            #expect(try await api.get("/api/v1/videos/\(id)", as: user).status == .notFound)
            let afterDelete = try await api.get("/api/v1/detect/history?task=track", as: user)
            #expect((afterDelete.json["items"] as? [Any])?.isEmpty == true)
            #expect(try await api.request(.get, signed).status == .notFound)
            #expect(!FileManager.default.fileExists(atPath: dependencies.videoFiles.folder(try #require(UUID(uuidString: id)))))
        }
    }

    /// Each bad upload is named, with nothing stored and nothing left on disk.
    @Test func badVideosAreRefusedByNameAndNothingIsStored() async throws {
        let folder = try TestEnvironment.temporaryDirectory("videos-api-bad")
        let clipURL = try await VideoFixtures.clip(seconds: 3, in: folder)
        let clip = [UInt8](try Data(contentsOf: clipURL))
        let huge = [UInt8](try Data(contentsOf: try await VideoFixtures.aviClaimingAHugePicture(in: folder)))
        let configuration = try await JobQueueTests.configuration()
        var short = configuration
        short.videoMaxSeconds = 2
        try await TestServer.run(short) { client, dependencies in
            let api = APIClient(client: client)
            let user = try await api.signUp()
            let cases: [(String, [UInt8], String, [String: String], HTTPResponse.Status, String, String)] = [
                (
                    "text named .mp4", Array("this is not a video\n".utf8), "", [:], .unsupportedMediaType, "not_a_video",
                    "not a video"
                ),
                ("empty", [], "", [:], .badRequest, "empty_file", "the video is empty"),
                ("truncated", Array(clip.prefix(clip.count / 3)), "", [:], .badRequest, "invalid_video", "moov atom not found"),
                (
                    "an image", try TestEnvironment.sampleBytes("darknet_dog.jpg"), "", [:], .unsupportedMediaType, "not_a_video",
                    "unrecognised"
                ),
                ("over the duration limit", clip, "", [:], .contentTooLarge, "video_too_large", "the longest accepted is 2 s"),
                ("100000×100000", huge, "", [:], .badRequest, "invalid_video", "100000x100000"),
                (
                    "bad zones", clip, "", ["zones": #"[{"line": [[0, 0]]}]"#], .badRequest, "invalid_zones",
                    "a line is two different points"
                ),
                ("unknown class", clip, "?classes=unicorn", [:], .badRequest, "invalid_parameter", "unknown class 'unicorn'"),
                ("unknown field", clip, "", ["colour": "red"], .badRequest, "invalid_parameter", "unknown form field 'colour'"),
                ("bad stride", clip, "?stride=0", [:], .badRequest, "invalid_parameter", "stride must be an integer from 1"),
            ]
            for (name, bytes, query, fields, status, code, words) in cases {
                let answer = try await upload(api, user, bytes: bytes, query: query, fields: fields)
                let message = ((answer.json["error"] as? [String: Any])?["message"] as? String) ?? ""
                #expect(answer.status == status && answer.errorCode == code, "\(name): \(String(buffer: answer.body))")
                #expect(message.contains(words), "\(name): \(message)")
                #expect(!message.contains(dependencies.configuration.dataDirectory), "\(name) shows a server path: \(message)")
            }
            var noFile = MultipartBody()
            noFile.addField(name: "conf", value: "0.2")
            #expect(try await api.multipart("/api/v1/videos", noFile, as: user).errorCode == "missing_file")
            #expect((try await api.get("/api/v1/videos", as: user).json["items"] as? [Any])?.isEmpty == true)
            let incoming = dependencies.videoFiles.root + "/incoming"
            #expect((try? FileManager.default.contentsOfDirectory(atPath: incoming))?.isEmpty ?? true)
            // And the server goes on serving: a good one is accepted.
            let short = Array(try Data(contentsOf: try await VideoFixtures.clip(seconds: 1, in: folder, name: "one.mp4")))
            #expect(try await upload(api, user, bytes: short).status == .accepted)
        }
    }
}
