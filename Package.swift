// swift-tools-version: 6.2
import PackageDescription

// Strict concurrency everywhere; every target opts in to the same language features.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTesting = Target.Dependency.product(name: "HummingbirdTesting", package: "hummingbird")
let propertyBased = Target.Dependency.product(name: "PropertyBased", package: "swift-property-based")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

/// One service = a library of routes and logic (testable) + a few-line executable.
func service(_ folder: String, executable: String, dependencies extra: [Target.Dependency]) -> [Target] {
    [
        .target(
            name: "\(folder)Service",
            dependencies: ["CumulusKit", "CumulusAPI", hummingbird] + extra,
            path: "Services/\(folder)/Library",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: executable,
            dependencies: [.target(name: "\(folder)Service"), "CumulusKit"],
            path: "Services/\(folder)/Main",
            swiftSettings: swiftSettings
        ),
    ]
}

/// What a service's unit-test target needs besides the service itself.
func serviceTestDependencies(_ service: String) -> [Target.Dependency] {
    [.target(name: service), "CumulusKit", "CumulusAPI", hummingbird, hummingbirdTesting,
     .product(name: "PostgresNIO", package: "postgres-nio"),
     .product(name: "Prometheus", package: "swift-prometheus"),
     .product(name: "Logging", package: "swift-log")]
}

let services: [(folder: String, executable: String, dependencies: [Target.Dependency])] = [
    ("Governance", "governance", [
        .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
        "CloudClients",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
    ]),
    ("Costs", "costs", ["CostsCore", "PlacementCore", "CloudClients",
                        .product(name: "PostgresNIO", package: "postgres-nio"),
                        .product(name: "AsyncHTTPClient", package: "async-http-client")]),
    ("Placement", "placement", ["PlacementCore", .product(name: "PostgresNIO", package: "postgres-nio"),
                                .product(name: "AsyncHTTPClient", package: "async-http-client")]),
    ("Orchestrator", "orchestrator", ["AssignmentCore", .product(name: "PostgresNIO", package: "postgres-nio")]),
    ("Coordinator", "coordinator", ["FederatedCore", "SecureAggregation", .product(name: "PostgresNIO", package: "postgres-nio"),
                                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                    .product(name: "Crypto", package: "swift-crypto"),
                                    .product(name: "NIOHTTP1", package: "swift-nio"),
                                    .product(name: "NIOFoundationCompat", package: "swift-nio"),
                                    .product(name: "Prometheus", package: "swift-prometheus")]),
    ("Registry", "registry", [.product(name: "PostgresNIO", package: "postgres-nio"),
                              .product(name: "AsyncHTTPClient", package: "async-http-client"),
                              .product(name: "Crypto", package: "swift-crypto"),
                              .product(name: "NIOHTTP1", package: "swift-nio")]),
]

let package = Package(
    name: "cumulus",
    platforms: [.macOS(.v15)],
    products: services.map { .executable(name: $0.executable, targets: [$0.executable]) } + [
        .executable(name: "cumulus-agent", targets: ["cumulus-agent"]),
        .executable(name: "cumulus", targets: ["cumulus"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // The CLI's job and placement specs may be YAML.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            path: "Shared/CHiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(
            name: "CumulusAPI",
            path: "Shared/CumulusAPI",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CumulusKit",
            dependencies: [
                "CumulusAPI",
                "CHiredis",
                hummingbird,
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            path: "Shared/CumulusKit",
            swiftSettings: swiftSettings
        ),
        // HTTP clients for the cloud providers' own APIs (SigV4, credential checks, later pricing
        // and billing), shared by governance and costs.
        .target(
            name: "CloudClients",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Shared/CloudClients",
            swiftSettings: swiftSettings
        ),
        // One seeded generator for every result that must be reproducible from a seed.
        .target(name: "SeededRandom", path: "Shared/SeededRandom", swiftSettings: swiftSettings),
        .target(name: "FederatedCore", dependencies: ["SeededRandom"], path: "Shared/FederatedCore", swiftSettings: swiftSettings),
        .target(name: "PlacementCore", dependencies: ["SeededRandom"], path: "Shared/PlacementCore", swiftSettings: swiftSettings),
        // Which node may run a task: used by the orchestrator to decide and by the agent to admit.
        .target(name: "AssignmentCore", dependencies: ["CumulusAPI"], path: "Shared/AssignmentCore", swiftSettings: swiftSettings),
        .target(name: "CostsCore", dependencies: ["PlacementCore"], path: "Shared/CostsCore", swiftSettings: swiftSettings),
        .target(name: "SecureAggregation", dependencies: ["SeededRandom", .product(name: "Crypto", package: "swift-crypto")],
                path: "Shared/SecureAggregation", swiftSettings: swiftSettings),
        // The client of the gateway for everything outside the suite: agent, CLI, benchmarks.
        .target(
            name: "CumulusClient",
            dependencies: ["CumulusAPI",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl")],
            path: "Shared/CumulusClient",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cumulus-agent",
            dependencies: ["CumulusAPI", "CumulusClient", "AssignmentCore", "FederatedCore", "SecureAggregation", argumentParser,
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl")],
            path: "Services/Agent",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cumulus",
            dependencies: ["CumulusAPI", "CumulusClient", "FederatedCore", argumentParser,
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio"),
                           .product(name: "Yams", package: "Yams")],
            path: "Services/CLI",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CumulusKitTests",
            dependencies: ["CumulusKit", "CumulusAPI", hummingbird, hummingbirdTesting,
                           .product(name: "JWTKit", package: "jwt-kit")],
            path: "Tests/CumulusKitTests",
            swiftSettings: swiftSettings
        ),
        // Benchmarks print figures; run them with `swift run -c release <name>`.
        .executableTarget(name: "federated-bench", dependencies: ["FederatedCore", "SeededRandom"], path: "Benchmarks/FederatedBench", swiftSettings: swiftSettings),
        .executableTarget(name: "secagg-bench", dependencies: ["SecureAggregation", "SeededRandom", .product(name: "Crypto", package: "swift-crypto")],
                          path: "Benchmarks/SecAggBench", swiftSettings: swiftSettings),
        .executableTarget(name: "orchestrator-bench", dependencies: ["AssignmentCore", "CumulusAPI", "CumulusClient", argumentParser,
                                                                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                                    .product(name: "Crypto", package: "swift-crypto"),
                                                                    .product(name: "NIOCore", package: "swift-nio"),
                                                                    .product(name: "NIOFoundationCompat", package: "swift-nio"),
                                                                    .product(name: "NIOHTTP1", package: "swift-nio"),
                                                                    .product(name: "NIOSSL", package: "swift-nio-ssl")],
                          path: "Benchmarks/OrchestratorBench", swiftSettings: swiftSettings),
        .executableTarget(name: "placement-bench", dependencies: ["PlacementCore", "SeededRandom"], path: "Benchmarks/PlacementBench", swiftSettings: swiftSettings),
        // Shared by the test targets that talk to the local cloud peers and moto.
        .target(
            name: "CloudTestSupport",
            dependencies: [
                "CloudClients",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/CloudTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CloudClientsTests",
            dependencies: ["CloudClients", "CloudTestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/CloudClientsTests",
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GovernanceTests",
            dependencies: ["GovernanceService", "CumulusKit", "CumulusAPI", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/GovernanceTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "OrchestratorTests", dependencies: ["OrchestratorService", "AssignmentCore", "CumulusAPI", "CumulusKit", hummingbird,
                                                             .product(name: "PostgresNIO", package: "postgres-nio"),
                                                             .product(name: "Prometheus", package: "swift-prometheus"),
                                                             .product(name: "Logging", package: "swift-log")], path: "Tests/OrchestratorTests", swiftSettings: swiftSettings),
        .testTarget(name: "CostsTests", dependencies: serviceTestDependencies("CostsService") + ["CostsCore", "PlacementCore", "CloudClients", "CloudTestSupport"],
                    path: "Tests/CostsTests", swiftSettings: swiftSettings),
        .testTarget(name: "CoordinatorTests", dependencies: serviceTestDependencies("CoordinatorService") + ["FederatedCore"],
                    path: "Tests/CoordinatorTests", swiftSettings: swiftSettings),
        .testTarget(name: "RegistryServiceTests", dependencies: serviceTestDependencies("RegistryService"),
                    path: "Tests/RegistryServiceTests", swiftSettings: swiftSettings),
        .testTarget(name: "PlacementTests", dependencies: serviceTestDependencies("PlacementService") + ["PlacementCore"],
                    path: "Tests/PlacementTests", swiftSettings: swiftSettings),
        .testTarget(name: "FederatedCoreTests", dependencies: ["FederatedCore", "SeededRandom", propertyBased], path: "Tests/FederatedCoreTests",
                    exclude: ["Fixtures"], swiftSettings: swiftSettings),
        // The reference tables in ../shared/data, for the test targets that read them.
        .target(name: "SharedDataSupport", dependencies: ["PlacementCore"], path: "Tests/SharedDataSupport", swiftSettings: swiftSettings),
        .testTarget(name: "CostsCoreTests", dependencies: ["CostsCore", "PlacementCore", "SharedDataSupport", propertyBased], path: "Tests/CostsCoreTests", swiftSettings: swiftSettings),
        .testTarget(name: "SecureAggregationTests", dependencies: ["SecureAggregation", "SeededRandom", propertyBased], path: "Tests/SecureAggregationTests", swiftSettings: swiftSettings),
        .testTarget(name: "PlacementCoreTests", dependencies: ["PlacementCore", "SeededRandom", "SharedDataSupport", propertyBased], path: "Tests/PlacementCoreTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["CumulusKit", "CumulusAPI", "CloudClients", "CloudTestSupport", "PlacementCore", "SharedDataSupport", "FederatedCore",
                           "SecureAggregation", hummingbird,
                           .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl")],
            path: "Tests/IntegrationTests",
            swiftSettings: swiftSettings
        ),
    ] + services.flatMap { service($0.folder, executable: $0.executable, dependencies: $0.dependencies) }
)
