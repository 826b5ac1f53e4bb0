// swift-tools-version:6.1
import Foundation
import PackageDescription

// OpenCV 4.6 from Debian keeps its headers under opencv4/.
let openCVInclude = "-I/usr/include/opencv4"

// ARGUS_FUZZ=1 (scripts/fuzz.sh) instruments Argus's own modules for libFuzzer and
// AddressSanitizer and makes argus-fuzz a libFuzzer program; the packages Argus uses
// build as usual, so the fuzz build shares .build with the ordinary one.
let fuzzing = ProcessInfo.processInfo.environment["ARGUS_FUZZ"] == "1"
// Each is embedded as PackageResources.<name with _ for .>_mustache (see MailTemplates).
let mailTemplates =
    ["layout"]
    + ["welcome", "job_ended", "weekly_report", "password_reset"].flatMap { mail in
        ["subject", "txt", "html"].map { "\(mail).\($0)" }
    }
let fuzzInstrumentation: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []

let package = Package(
    name: "argus",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "argus", targets: ["argus"]),
        // bench/server_cost.py's baseline: bare Hummingbird, no middleware.
        .executable(name: "argus-bench-hello", targets: ["argus-bench-hello"]),
        // bench/search_bench.py's Swift side: the exact vector index on vectors from a file.
        .executable(name: "argus-bench-search", targets: ["argus-bench-search"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // The ONNX Runtime C header only: the library itself is opened with dlopen at run time.
        .target(
            name: "CONNXRuntime",
            path: "Sources/CONNXRuntime"
        ),
        // OpenCV + TurboJPEG behind a plain C API; no C++ exception crosses it.
        .target(
            name: "CImaging",
            path: "Sources/CImaging",
            cxxSettings: [.unsafeFlags([openCVInclude, "-O2"])],
            linkerSettings: [
                .linkedLibrary("opencv_core"),
                .linkedLibrary("opencv_imgproc"),
                .linkedLibrary("opencv_imgcodecs"),
                .linkedLibrary("turbojpeg"),
                .linkedLibrary("png16"),
            ]
        ),
        // The vector index's integer scan, with kernels chosen at run time for the CPU.
        .target(
            name: "CVectorScan",
            path: "Sources/CVectorScan",
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        .target(name: "ArgusCore", dependencies: ["CVectorScan"], swiftSettings: fuzzInstrumentation),
        .target(
            name: "ArgusVision",
            dependencies: [
                "ArgusCore", "CONNXRuntime", "CImaging",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: fuzzInstrumentation
        ),
        .target(
            name: "ArgusServer",
            dependencies: [
                "ArgusCore", "ArgusVision",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ],
            // The API document and the mail templates are data, compiled into the binary:
            // nothing to install beside it.
            resources: [.embedInCode("APIDocs/openapi.yaml"), .embedInCode("Accounts/reset_password.mustache")]
                + mailTemplates.map { .embedInCode("Mail/Templates/\($0).mustache") },
            swiftSettings: fuzzInstrumentation
        ),
        // The parsers that read client input, as fuzz targets (see Fuzz/README.md).
        .target(
            name: "ArgusFuzzTargets",
            dependencies: ["ArgusServer", "ArgusVision", "ArgusCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: fuzzInstrumentation
        ),
        .executableTarget(
            name: "argus-fuzz",
            dependencies: ["ArgusFuzzTargets"],
            swiftSettings: fuzzInstrumentation + (fuzzing ? [.define("ARGUS_FUZZ")] : []),
            // lld: gold fails on the AddressSanitizer-instrumented objects.
            linkerSettings: fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])] : []
        ),
        .executableTarget(
            name: "argus",
            dependencies: [
                "ArgusCore", "ArgusVision", "ArgusServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "argus-bench-hello",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        ),
        .executableTarget(name: "argus-bench-search", dependencies: ["ArgusCore"]),
        // Paths, shared models and synthetic inputs for the test targets.
        .target(
            name: "ArgusTestSupport",
            dependencies: ["ArgusCore", "ArgusVision", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/ArgusTestSupport"
        ),
        .testTarget(name: "ArgusCoreTests", dependencies: ["ArgusCore", "CVectorScan"], exclude: ["Golden"]),
        // Every checked-in fuzz input (Fuzz/corpus) through its target, in the ordinary build.
        .testTarget(name: "ArgusFuzzTargetsTests", dependencies: ["ArgusFuzzTargets", "ArgusTestSupport"]),
        .testTarget(
            name: "ArgusVisionTests",
            dependencies: ["ArgusVision", "ArgusCore", "ArgusTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Golden", "Fixtures"]
        ),
        .testTarget(
            name: "ArgusServerTests",
            dependencies: [
                "ArgusServer", "ArgusVision", "ArgusTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
        // Runs the built `argus` binary: CLI commands and `argus serve` over real HTTP.
        .testTarget(
            name: "ArgusEndToEndTests",
            dependencies: [
                "argus", "ArgusCore", "ArgusVision", "ArgusTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
