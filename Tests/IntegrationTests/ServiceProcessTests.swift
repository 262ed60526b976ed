import CumulusAPI
import Foundation
import Testing

/// The running service processes, reached directly rather than through the gateway.
@Suite struct ServiceProcessTests {
    @Test(arguments: ServiceName.allCases)
    func metricsExposeRequestCountersAndReadiness(_ service: ServiceName) async throws {
        let base = try TestEnvironment.serviceURL(service)
        _ = try await HTTPTestClient.send("\(base)/readyz")
        let metrics = try await HTTPTestClient.send("\(base)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains(#"cumulus_http_requests_total{service="\#(service.rawValue)",method="GET",route="/readyz",status="200"}"#))
        #expect(metrics.text.contains(#"cumulus_ready{service="\#(service.rawValue)"} 1"#))
    }

    @Test func aServiceWithoutItsDatabaseURLExitsNamingTheVariable() async throws {
        let binary = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appending(path: ".build/debug/costs")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the services first (deploy/test.sh does)")
        let outcome = try await ProcessRunner.run(binary.path, [], environment: ["CUMULUS_REDIS_URL": "redis://127.0.0.1:1", "PATH": "/usr/bin:/bin"])
        #expect(outcome.status == 78)
        #expect(outcome.standardError.contains("CUMULUS_COSTS_DATABASE_URL"))
    }
}
