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
        let settings = GovernanceSettings(
            secretBox: try SecretBox(activeKeyID: "k", keys: ["k": SymmetricKey(size: .bits256)]), accessTokenLifetime: .seconds(60),
            refreshTokenLifetime: .seconds(600), adminEmail: nil, adminPassword: nil, bcryptCost: 4, maxFailedLogins: 5,
            lockout: .seconds(60), approvalLifetime: .seconds(600))
        let definition = GovernanceService.definition(settings: settings)
        let routes = try definition.registeredRoutes()
        #expect(routes.count > 40)
        #expect(definition.openAPI.undocumented(routes) == [])
        // And the checker itself notices a missing route.
        #expect(definition.openAPI.undocumented([(method: "PATCH", path: "/api/v1/orgs/{id}")]) == ["PATCH /api/v1/orgs/{id}"])
    }
}
