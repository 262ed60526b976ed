import CloudTestSupport
import Foundation
import Testing

@testable import CloudClients

/// Against moto's real STS, with IAM authentication on: moto recomputes each signature with
/// botocore from the secret it issued and answers like AWS.
@Suite("AWS STS validator (moto)")
struct AWSSTSValidatorTests {
    func validator() throws -> AWSSTSCredentialValidator {
        AWSSTSCredentialValidator(http: TestEnvironment.http, endpoint: try TestEnvironment.motoURL())
    }

    @Test("a long-term key is accepted with its account and ARN")
    func longTermKey() async throws {
        let moto = try await MotoIdentities.shared()
        let started = Date()
        let result = try await validator().validate(moto.userKey)
        #expect(result.provider == .aws)
        #expect(result.account == MotoIdentities.account)
        #expect(result.principal == "arn:aws:iam::\(MotoIdentities.account):user/\(moto.userName)")
        #expect(result.details["user_id"]?.isEmpty == false)
        #expect(result.validatedAt >= started.addingTimeInterval(-1))
    }

    @Test("temporary credentials are accepted with their session token")
    func temporaryKey() async throws {
        let moto = try await MotoIdentities.shared()
        let result = try await validator().validate(moto.temporaryKey)
        #expect(result.account == MotoIdentities.account)
        #expect(result.principal == "arn:aws:sts::\(MotoIdentities.account):assumed-role/\(moto.roleName)/\(moto.sessionName)")
    }

    @Test("a wrong secret is refused with AWS's SignatureDoesNotMatch")
    func wrongSecret() async throws {
        let moto = try await MotoIdentities.shared()
        var key = moto.userKey
        key.secretAccessKey = SecretString(String(key.secretAccessKey.revealed.reversed()))
        await #expect(throws: CredentialValidationError.rejected(
            provider: .aws, code: "SignatureDoesNotMatch",
            message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")) {
            try await validator().validate(key)
        }
    }

    @Test("an unknown key id is refused with AWS's InvalidClientTokenId")
    func unknownKey() async throws {
        _ = try await MotoIdentities.shared()
        let key = AWSCredentialInput(accessKeyID: "AKIA" + TestEnvironment.unique().uppercased() + "XXXX", secretAccessKey: "whatever-secret")
        await #expect(throws: CredentialValidationError.rejected(
            provider: .aws, code: "InvalidClientTokenId", message: "The security token included in the request is invalid.")) {
            try await validator().validate(key)
        }
    }

    @Test("a wrong session token is refused")
    func wrongSessionToken() async throws {
        let moto = try await MotoIdentities.shared()
        var key = moto.temporaryKey
        key.sessionToken = "not-the-session-token"
        await #expect(throws: CredentialValidationError.rejected(
            provider: .aws, code: "InvalidClientTokenId", message: "The security token included in the request is invalid.")) {
            try await validator().validate(key)
        }
    }
}
