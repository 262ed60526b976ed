import Crypto
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import Testing

@testable import GovernanceService

@Suite struct OpenAPICoverageTests {
    @Test func everyGovernanceRouteIsDocumented() throws {
        let configuration = ServiceConfiguration(
            service: .governance,
            database: DatabaseURL(host: "127.0.0.1", port: 1, username: "unused", password: nil, database: "unused"),
            redis: RedisURL(host: "127.0.0.1", port: 1))
        let logger = Logger(label: "test")
        // Nothing here connects: the clients are built but never run.
        let dependencies = ServiceDependencies(
            configuration: configuration, postgres: PostgresClient(url: configuration.database, applicationName: "test", logger: logger),
            redis: RedisPool(url: configuration.redis), metrics: PrometheusCollectorRegistry(), internalClient: InternalClient(serviceToken: nil),
            migrations: try MigrationRunner(schema: "governance", migrations: []), logger: logger)
        let settings = GovernanceSettings(
            secretBox: try SecretBox(activeKeyID: "k", keys: ["k": SymmetricKey(size: .bits256)]), accessTokenLifetime: .seconds(60),
            refreshTokenLifetime: .seconds(600), adminEmail: nil, adminPassword: nil, bcryptCost: 4, maxFailedLogins: 5,
            lockout: .seconds(60), approvalLifetime: .seconds(600))
        let definition = GovernanceService.definition(settings: settings)
        let router = Router(context: CumulusRequestContext.self)
        definition.addRoutes(router, dependencies)
        let routes = router.routes.map { (method: $0.method.rawValue, path: $0.path.description) }
        #expect(routes.count > 40)
        #expect(definition.openAPI.undocumented(routes) == [])
        // And the checker itself notices a missing route.
        #expect(definition.openAPI.undocumented([(method: "PATCH", path: "/api/v1/orgs/{id}")]) == ["PATCH /api/v1/orgs/{id}"])
    }
}
