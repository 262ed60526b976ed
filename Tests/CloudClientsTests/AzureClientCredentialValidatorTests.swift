import CloudTestSupport
import Foundation
import Testing

@testable import CloudClients

/// Against the peers' Entra ID token endpoint, which checks tenant, application and secret.
@Suite("Azure client-credentials validator (peers)")
struct AzureClientCredentialValidatorTests {
    func newApp() async throws -> AzureCredentialInput {
        try await PeerAccounts.azureApp()
    }

    func validator() throws -> AzureClientCredentialValidator {
        AzureClientCredentialValidator(http: TestEnvironment.http, authority: try TestEnvironment.peersURL() + "/azure/")
    }

    @Test("a good secret is accepted with tenant and client id")
    func goodSecret() async throws {
        let input = try await newApp()
        let result = try await validator().validate(input)
        #expect(result.provider == .azure)
        #expect(result.account == input.tenantID)
        #expect(result.principal == input.clientID)
        #expect(result.details["subscription_id"] == input.subscriptionID)
    }

    @Test("a wrong secret is refused with Entra's AADSTS7000215")
    func wrongSecret() async throws {
        var input = try await newApp()
        input.clientSecret = "Q~not-the-secret"
        let error = await validationError { try await validator().validate(input) }
        let rejection = try #require(error?.rejection)
        #expect(rejection.code == "invalid_client")
        #expect(rejection.message.hasPrefix("AADSTS7000215: Invalid client secret provided."))
        #expect(!rejection.message.contains("Q~not-the-secret"))
        #expect(error?.httpStatus == 422)
    }

    @Test("an unknown tenant and an unknown application are refused")
    func unknownTenantAndApp() async throws {
        var input = try await newApp()
        let realTenant = input.tenantID
        input.tenantID = UUID().uuidString.lowercased()
        let tenantError = await validationError { try await validator().validate(input) }
        #expect(tenantError?.rejection?.code == "invalid_request")
        #expect(tenantError?.rejection?.message.hasPrefix("AADSTS90002: Tenant '\(input.tenantID)' not found.") == true)

        input.tenantID = realTenant
        input.clientID = UUID().uuidString.lowercased()
        let appError = await validationError { try await validator().validate(input) }
        #expect(appError?.rejection?.code == "unauthorized_client")
        #expect(appError?.rejection?.message.hasPrefix("AADSTS700016:") == true)
    }
}
