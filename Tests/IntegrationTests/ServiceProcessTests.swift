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

    @Test func aServiceWithoutItsDatabaseURLExitsNamingTheVariable() throws {
        let binary = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appending(path: ".build/debug/costs")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the services first (deploy/test.sh does)")
        let process = Process()
        process.executableURL = binary
        process.environment = ["CUMULUS_REDIS_URL": "redis://127.0.0.1:1", "PATH": "/usr/bin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 78)
        #expect(message.contains("CUMULUS_COSTS_DATABASE_URL"))
    }
}
