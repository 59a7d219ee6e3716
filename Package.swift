// swift-tools-version: 6.0
import PackageDescription

// Dependency groups several targets share.
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let asyncHTTPClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioHTTP1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let nioFoundation: Target.Dependency = .product(name: "NIOFoundationCompat", package: "swift-nio")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let sqlite: Target.Dependency = .product(name: "GRDBSQLite", package: "GRDB.swift")
let postgres: Target.Dependency = .product(name: "PostgresNIO", package: "postgres-nio")

/// What a server or client of the simulation builds on.
let serverStack: [Target.Dependency] = [hummingbird, asyncHTTPClient, logging, serviceLifecycle, nioCore, httpTypes]

let package = Package(
    name: "async-flows",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HelpDeskAPI", targets: ["HelpDeskAPI"]),
        .library(name: "MockHelpDesk", targets: ["MockHelpDesk"]),
        .library(name: "Flows", targets: ["Flows"]),
        .library(name: "SimulationSupport", targets: ["SimulationSupport"]),
        .executable(name: "Bench", targets: ["Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // SVG charts as pure functions: scales, ticks, legend layout, markers, lines, bands and bars.
        .target(name: "Charts"),
        // Model time, seeded randomness and deadline scheduling shared by both sides of the simulation.
        .target(
            name: "SimulationSupport",
            dependencies: [.product(name: "HeapModule", package: "swift-collections"), .product(name: "DequeModule", package: "swift-collections")]
        ),
        // The wire contract of the Help Desk, like a vendor SDK.
        .target(name: "HelpDeskAPI", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Hummingbird helpers both servers share: JSON errors, bounded body decoding, traffic counting.
        .target(
            name: "ServerSupport",
            dependencies: [
                "HelpDeskAPI", "SimulationSupport", hummingbird, httpTypes, logging, serviceLifecycle, nioCore, nioPosix,
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The simulated vendor.
        .target(
            name: "MockHelpDesk",
            dependencies: [
                "HelpDeskAPI", "SimulationSupport", "ServerSupport", .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ] + serverStack
        ),
        // Our app: the integration that learns review verdicts.
        .target(
            name: "Flows",
            dependencies: [
                "HelpDeskAPI", "SimulationSupport", "ServerSupport", grdb, sqlite, postgres, nioHTTP1, nioPosix, nioFoundation,
                .product(name: "HeapModule", package: "swift-collections"),
            ] + serverStack
        ),
        // Helpers the test targets share: running servers on port 0, an HTTP test client, a clock driver, the store
        // conformance suite and a PostgreSQL server for it.
        .target(
            name: "TestSupport",
            dependencies: ["Flows", "HelpDeskAPI", "SimulationSupport", "ServerSupport", nioHTTP1, nioFoundation] + serverStack
        ),
        // The measurement harness: workloads, runs, the analytic model, the DB cost sweep, result files.
        .target(
            name: "BenchKit",
            dependencies: [
                "MockHelpDesk", "Flows", "HelpDeskAPI", "SimulationSupport", "ServerSupport", "Charts", grdb, postgres, nioHTTP1, nioPosix, nioFoundation,
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ] + serverStack,
            resources: [.copy("Resources/vendors.txt")]
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "BenchKit", "MockHelpDesk", "Flows", "HelpDeskAPI", "SimulationSupport", "ServerSupport", nioPosix,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + serverStack
        ),
        .testTarget(name: "SimulationSupportTests", dependencies: ["SimulationSupport"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
        .testTarget(name: "HelpDeskAPITests", dependencies: ["HelpDeskAPI", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "MockHelpDeskTests",
            dependencies: ["MockHelpDesk", "BenchKit", "Flows", "TestSupport", "HelpDeskAPI", "SimulationSupport", "ServerSupport", nioHTTP1] + serverStack
        ),
        .testTarget(
            name: "FlowsTests",
            dependencies: ["Flows", "TestSupport", "MockHelpDesk", "HelpDeskAPI", "SimulationSupport", "ServerSupport", grdb, postgres, nioHTTP1]
                + serverStack
        ),
        .testTarget(
            name: "BenchKitTests",
            dependencies: ["BenchKit", "Charts", "TestSupport", "Flows", "HelpDeskAPI", "SimulationSupport", "MockHelpDesk", "ServerSupport", hummingbird, logging, nioCore, nioPosix]
        ),
    ],
    swiftLanguageModes: [.v6]
)
