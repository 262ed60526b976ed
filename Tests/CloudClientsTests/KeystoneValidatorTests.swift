import CloudTestSupport
import Foundation
import Testing

@testable import CloudClients

/// Against the peers' Keystone v3, which checks user, password, domain and the project role.
@Suite("OpenStack Keystone validator (peers)")
struct KeystoneValidatorTests {
    typealias Created = PeerAccounts.KeystoneUser

    /// A user with a role on one project, in a domain of its own.
    func newUser(password: String = "s3cret pass \(TestEnvironment.unique())") async throws -> (OpenStackCredentialInput, Created) {
        try await PeerAccounts.keystoneUser(password: password)
    }

    var validator: KeystoneCredentialValidator {
        KeystoneCredentialValidator(http: TestEnvironment.http, allowPlainHTTP: true)
    }

    @Test("a good user is accepted with project and user id", arguments: ["", "/", "/v3", "/v3/"])
    func goodUser(_ authURLSuffix: String) async throws {
        var (input, created) = try await newUser()
        input.authURL += authURLSuffix
        let result = try await validator.validate(input)
        #expect(result.provider == .openstack)
        #expect(result.principal == created.user_id)
        #expect(result.account == input.projectName)
        #expect(result.details["project_id"] == created.projects[input.projectName])
        #expect(result.details["user_name"] == input.username)
    }

    static let unauthorized = CredentialValidationError.rejected(
        provider: .openstack, code: "Unauthorized", message: "The request you have made requires authentication.")

    @Test("a wrong password is refused with Keystone's reason")
    func wrongPassword() async throws {
        var (input, _) = try await newUser()
        input.password = "wrong password"
        let error = await validationError { try await validator.validate(input) }
        #expect(error == Self.unauthorized)
        #expect(error?.httpStatus == 422)
    }

    @Test("the wrong user domain is refused")
    func wrongDomain() async throws {
        var (input, _) = try await newUser()
        input.userDomainName = nil  // falls back to "Default", where this user does not exist
        let error = await validationError { try await validator.validate(input) }
        #expect(error == Self.unauthorized)
    }

    @Test("a project the user has no role on is refused")
    func wrongProject() async throws {
        var (input, _) = try await newUser()
        input.projectName = "someone-elses-project"
        let error = await validationError { try await validator.validate(input) }
        #expect(error == Self.unauthorized)
    }

    @Test("plain http and hosts off the list are refused as input errors")
    func plainHTTPRefused() async throws {
        let (input, _) = try await newUser()
        let strict = KeystoneCredentialValidator(http: TestEnvironment.http)
        let error = await validationError { try await strict.validate(input) }
        #expect(error == .invalidInput(field: "auth_url", reason: "must use https"))
        let hostLimited = KeystoneCredentialValidator(http: TestEnvironment.http, allowPlainHTTP: true, allowedHosts: ["keystone.example.org"])
        let hostError = await validationError { try await hostLimited.validate(input) }
        #expect(hostError == .invalidInput(field: "auth_url", reason: "host is not on the allowed list"))
        // Control: allowed, the same input is accepted.
        let allowed = KeystoneCredentialValidator(http: TestEnvironment.http, allowPlainHTTP: true, allowedHosts: ["127.0.0.1", "localhost"])
        _ = try await allowed.validate(input)
    }
}
