import CloudTestSupport
import Foundation
import Testing

@testable import CloudClients

/// Against the peers' token endpoint, which verifies the RS256 assertion with the registered
/// public key and checks iss, aud, iat/exp and scope as Google does.
@Suite("GCP service-account validator (peers)")
struct GCPServiceAccountValidatorTests {
    struct Registration: Encodable { let client_email: String; let public_key_pem: String; let key_id: String }
    struct Registered: Decodable { let client_email: String }

    /// A fresh service account at the peers, as a key file in Google's download format.
    func newKeyFile() async throws -> GCPServiceAccountKey {
        try await PeerAccounts.gcpKey()
    }

    func validator(allowing tokenURIs: Set<String>? = nil) throws -> GCPServiceAccountValidator {
        GCPServiceAccountValidator(http: TestEnvironment.http,
                                   allowedTokenURIs: try tokenURIs ?? [TestEnvironment.peersURL() + "/gcp/token"])
    }

    @Test("a good key is accepted with its project and client_email")
    func goodKey() async throws {
        let key = try await newKeyFile()
        #expect(key.tokenURI == (try TestEnvironment.peersURL()) + "/gcp/token")
        let result = try await validator().validate(key)
        #expect(result.provider == .gcp)
        #expect(result.account == key.projectID)
        #expect(result.principal == key.clientEmail)
        #expect(result.details["private_key_id"] == key.privateKeyID)
    }

    @Test("a key the account does not hold is refused with Google's reason")
    func wrongKey() async throws {
        var key = try await newKeyFile()
        let other = try await newKeyFile()
        key.privateKey = other.privateKey
        await #expect(throws: CredentialValidationError.rejected(provider: .gcp, code: "invalid_grant", message: "Invalid JWT Signature.")) {
            try await validator().validate(key)
        }
    }

    @Test("a key registered from its public half works, and the wrong key id does not")
    func registeredPublicKey() async throws {
        let email = "registered-\(TestEnvironment.unique())@cumulus-test-1.iam.gserviceaccount.com"
        _ = try await TestEnvironment.peerPOST(
            "/__test/gcp/keys",
            Registration(client_email: email, public_key_pem: TestKeys.rsa2048Public, key_id: "0123456789abcdef0123456789abcdef01234567"),
            as: Registered.self)
        var key = goodGCP
        key.clientEmail = email
        key.tokenURI = try TestEnvironment.peersURL() + "/gcp/token"
        let result = try await validator().validate(key)
        #expect(result.principal == email)

        key.privateKeyID = "ffffffffffffffffffffffffffffffffffffffff"
        await #expect(throws: CredentialValidationError.rejected(provider: .gcp, code: "invalid_grant", message: "Invalid JWT Signature.")) {
            try await validator().validate(key)
        }
    }

    @Test("an account Google does not know is refused")
    func unknownAccount() async throws {
        var key = try await newKeyFile()
        key.clientEmail = "deleted-\(TestEnvironment.unique())@\(key.projectID).iam.gserviceaccount.com"
        await #expect(throws: CredentialValidationError.rejected(provider: .gcp, code: "invalid_grant", message: "Invalid grant: account not found")) {
            try await validator().validate(key)
        }
    }

    @Test("a token_uri off the allow-list is refused before any request")
    func disallowedTokenURI() async throws {
        let peers = try TestEnvironment.peersURL()
        let probePath = "/gcp/forged-token-\(TestEnvironment.unique())"
        var key = try await newKeyFile()
        key.tokenURI = peers + probePath

        let error = await validationError { try await validator().validate(key) }
        #expect(error == .invalidInput(field: "token_uri", reason: "not an allowed token endpoint (allowed: \(peers)/gcp/token)"))
        #expect(try await TestEnvironment.peerRequestCount(path: probePath) == 0)

        // Control: the same URI, once allowed, is requested (the peers answer 404 there), so the
        // count above would have seen a request had one been made.
        let allowed = try validator(allowing: [peers + probePath])
        let control = await validationError { try await allowed.validate(key) }
        #expect(control?.httpStatus == 502)
        #expect(try await TestEnvironment.peerRequestCount(path: probePath) == 1)
    }

    /// Look-alikes of the allowed URI, all on loopback so that a broken check could never send
    /// anything off this machine.
    static let lookAlikeSuffixes = ["/gcp/token/", "/gcp/token?x=1", "/gcp/token/../token", "/gcp/token#f", "/gcp/TOKEN", "/gcp/token%2F"]

    @Test("look-alikes of an allowed token_uri are refused", arguments: lookAlikeSuffixes)
    func lookAlikes(_ suffix: String) async throws {
        let peers = try TestEnvironment.peersURL()
        var key = goodGCP
        for tokenURI in [peers + suffix, peers.replacingOccurrences(of: "http://", with: "https://") + "/gcp/token",
                         peers.replacingOccurrences(of: "127.0.0.1", with: "localhost") + suffix] {
            key.tokenURI = tokenURI
            let error = await validationError { try await validator().validate(key) }
            #expect(error?.invalidField == "token_uri", "\(tokenURI)")
        }
    }

    @Test("the default allow-list is Google's token endpoint only")
    func defaultAllowList() throws {
        let validator = GCPServiceAccountValidator(http: TestEnvironment.http)
        #expect(validator.allowedTokenURIs == ["https://oauth2.googleapis.com/token"])
    }
}
