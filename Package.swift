// swift-tools-version: 6.0
import PackageDescription

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
    ],
    targets: [
        // Model time, seeded randomness and deadline scheduling shared by both sides of the simulation.
        .target(
            name: "SimulationSupport",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections")
            ]
        ),
        // The wire contract of the Help Desk, like a vendor SDK.
        .target(
            name: "HelpDeskAPI",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),
        // Hummingbird helpers both servers share: JSON errors, bounded body decoding, traffic counting.
        .target(
            name: "ServerSupport",
            dependencies: [
                "HelpDeskAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The simulated vendor.
        .target(
            name: "MockHelpDesk",
            dependencies: [
                "HelpDeskAPI",
                "SimulationSupport",
                "ServerSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Our app: the integration that learns review verdicts.
        .target(
            name: "Flows",
            dependencies: [
                "HelpDeskAPI",
                "SimulationSupport",
                "ServerSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Helpers the test targets share: running servers on port 0, an HTTP test client, a clock driver.
        .target(
            name: "TestSupport",
            dependencies: [
                "HelpDeskAPI",
                "SimulationSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "MockHelpDesk",
                "Flows",
                "HelpDeskAPI",
                "SimulationSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "SimulationSupportTests", dependencies: ["SimulationSupport"]),
        .testTarget(name: "HelpDeskAPITests", dependencies: ["HelpDeskAPI"]),
        .testTarget(
            name: "MockHelpDeskTests",
            dependencies: [
                "MockHelpDesk",
                "TestSupport",
                "HelpDeskAPI",
                "SimulationSupport",
                "ServerSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "FlowsTests",
            dependencies: [
                "Flows",
                "TestSupport",
                "MockHelpDesk",
                "HelpDeskAPI",
                "SimulationSupport",
                "ServerSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
