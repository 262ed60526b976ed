import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import CloudClients

/// What happens when the provider cannot be reached or does not answer as it should: always
/// `.providerUnavailable` (a 502 at the edge), never a rejection of the credential.
@Suite("Unreachable and misbehaving providers")
struct TransportFailureTests {
    @Test("an endpoint nobody listens on is reported unreachable, for every provider")
    func unreachable() async throws {
        let closed = try ClosedPort()
        let base = "http://127.0.0.1:\(closed.port)"
        let http = TestEnvironment.http
        var gcpKey = goodGCP
        gcpKey.tokenURI = base + "/token"
        var openStack = goodOpenStack
        openStack.authURL = base + "/v3"

        let errors: [(CloudProvider, CredentialValidationError?)] = [
            (.aws, await validationError {
                try await AWSSTSCredentialValidator(http: http, endpoint: base).validate(goodAWS) }),
            (.gcp, await validationError {
                try await GCPServiceAccountValidator(http: http, allowedTokenURIs: [gcpKey.tokenURI]).validate(gcpKey) }),
            (.openstack, await validationError {
                try await KeystoneCredentialValidator(http: http, allowPlainHTTP: true).validate(openStack) }),
            (.azure, await validationError {
                try await AzureClientCredentialValidator(http: http, authority: base).validate(goodAzure) }),
        ]
        for (provider, error) in errors {
            guard case .providerUnavailable(let reported, let endpoint, let reason)? = error else {
                Issue.record("\(provider): expected providerUnavailable, got \(String(describing: error))")
                continue
            }
            #expect(reported == provider)
            #expect(endpoint.hasPrefix(base))
            // Refused at once as a rule; on a loaded machine the refusal can lose the race with
            // the validator's own deadline. Either way it is "unavailable", never a rejection.
            #expect(reason.hasPrefix("request failed:") || reason.hasPrefix("no answer within"), "\(reason)")
            #expect(error?.httpStatus == 502)
        }
        withExtendedLifetime(closed) {}
    }

    @Test("a provider that does not answer in time is reported, within the timeout")
    func timeout() async throws {
        let authority = try TestEnvironment.peersURL() + "/__test/stall"
        let validator = AzureClientCredentialValidator(http: TestEnvironment.http, authority: authority, timeout: .milliseconds(500))
        let error = await validationError { try await validator.validate(goodAzure) }
        // Only the deadline produces this reason (the peer stalls for 3 s and then answers). How
        // long giving up takes is not asserted: timings belong in benchmarks on a shared machine.
        #expect(error?.unavailableReason?.hasPrefix("no answer within 500 ms") == true, "\(String(describing: error))")
    }

    @Test("an answer that is not the provider's format is not taken as a rejection")
    func unexpectedAnswer() async throws {
        // The peers answer 404 with their own JSON on an unknown path.
        let authority = try TestEnvironment.peersURL() + "/not-azure"
        let error = await validationError {
            try await AzureClientCredentialValidator(http: TestEnvironment.http, authority: authority).validate(goodAzure)
        }
        #expect(error?.unavailableReason == "answer is not an OAuth token or error (HTTP 404)")
    }

    @Test("a redirect is refused, whether or not the client follows it")
    func redirects() async throws {
        let input = try await AzureClientCredentialValidatorTests().newApp()
        let authority = try TestEnvironment.peersURL() + "/__test/redirect/azure"
        // The recommended client does not follow: the 307 itself is the answer.
        let notFollowed = await validationError {
            try await AzureClientCredentialValidator(http: TestEnvironment.http, authority: authority).validate(input)
        }
        #expect(notFollowed?.unavailableReason == "answer is not an OAuth token or error (HTTP 307)")
        // A client that follows redirects reaches a real token, which must still not count.
        let following = HTTPClient(eventLoopGroupProvider: .singleton,
                                   configuration: .init(redirectConfiguration: .follow(max: 3, allowCycles: false)))
        let followed = await validationError {
            try await AzureClientCredentialValidator(http: following, authority: authority).validate(input)
        }
        try await following.shutdown()
        #expect(followed?.unavailableReason == "answered with a redirect, which is not accepted")
        // Control: without the redirect the same app is accepted, so the refusals above are the
        // redirect's doing.
        _ = try await AzureClientCredentialValidator(http: TestEnvironment.http, authority: try TestEnvironment.peersURL() + "/azure").validate(input)
    }
}
