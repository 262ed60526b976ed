import Foundation
import Testing

@testable import CloudClients

@Suite("Credential input decoding")
struct CredentialInputDecodingTests {
    func decodingError<Input: CloudCredentialInput>(_ type: Input.Type, _ json: String) -> CredentialValidationError? {
        do {
            let input = try CredentialInputDecoding.decode(type, from: Data(json.utf8))
            Issue.record("decoded \(input)")
            return nil
        } catch {
            return error
        }
    }

    @Test("decoding failures name the field and never the value")
    func namesTheField() {
        #expect(decodingError(AWSCredentialInput.self, #"{"access_key_id": "AKIAIOSFODNN7EXAMPLE"}"#)
            == .invalidInput(field: "secret_access_key", reason: "is required"))
        #expect(decodingError(AzureCredentialInput.self, #"{"tenant_id": "t", "client_id": "c", "client_secret": 42}"#)
            == .invalidInput(field: "client_secret", reason: "must be a string"))
        #expect(decodingError(OpenStackCredentialInput.self, #"{"auth_url": null}"#)
            == .invalidInput(field: "auth_url", reason: "must not be null"))
        #expect(decodingError(GCPServiceAccountKey.self, "not json")
            == .invalidInput(field: "body", reason: "not valid JSON"))
        #expect(decodingError(GCPServiceAccountKey.self, "[]")?.invalidField == "body")
        let secret = decodingError(AWSCredentialInput.self, #"{"access_key_id": 7, "secret_access_key": "hunter2-secret"}"#)
        #expect(secret?.invalidField == "access_key_id")
        #expect(secret?.description.contains("hunter2") == false)
    }

    @Test("a good upload decodes to the typed input")
    func decodes() throws {
        let input = try CredentialInputDecoding.decode(
            AzureCredentialInput.self,
            from: Data(#"{"tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47", "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "client_secret": "s"}"#.utf8))
        #expect(input.clientSecret.revealed == "s")
        #expect(input.subscriptionID == nil)
    }
}
