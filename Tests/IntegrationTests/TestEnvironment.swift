import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// Where the servers that `deploy/test.sh` started are. A missing variable fails the test with
/// a message saying how to run it, never a silent skip.
enum TestEnvironment {
    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String { "\(variable) is not set: run the integration tests through deploy/test.sh, which starts the servers they need" }
    }

    static func value(_ variable: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else { throw Missing(variable: variable) }
        return value
    }

    static func superuserDatabase() throws -> DatabaseURL { try DatabaseURL(parsing: value("CUMULUS_TEST_PG_SUPERUSER_URL")) }
    static func database(of service: ServiceName) throws -> DatabaseURL { try DatabaseURL(parsing: value("CUMULUS_TEST_PG_URL_\(service.rawValue.uppercased())")) }
    static func redis() throws -> RedisURL { try RedisURL(parsing: value("CUMULUS_TEST_REDIS_URL")) }
    static func gateway() throws -> String { try value("CUMULUS_TEST_GATEWAY_URL") }
    static func prometheus() throws -> String { try value("CUMULUS_TEST_PROMETHEUS_URL") }
    static func serviceURL(_ service: ServiceName) throws -> String { try value("CUMULUS_TEST_SERVICE_URL_\(service.rawValue.uppercased())") }

    static let logger = Logger(label: "cumulus.tests")

    /// A unique, valid schema or stream name for one test.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))"
    }
}

/// Runs `body` with a PostgreSQL client that is running, and stops it afterwards.
func withPostgres<T: Sendable>(_ url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    let client = PostgresClient(url: url, applicationName: "cumulus-tests", logger: TestEnvironment.logger)
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}
