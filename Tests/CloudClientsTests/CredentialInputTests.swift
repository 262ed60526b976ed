import Foundation
import Testing

@testable import CloudClients

/// One malformed input and the field its error must name.
struct MalformedInput: Sendable, CustomTestStringConvertible {
    let label: String
    let field: String
    let check: @Sendable () throws(CredentialValidationError) -> Void
    var testDescription: String { label }
}

let goodAWS = AWSCredentialInput(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
let goodGCP = GCPServiceAccountKey(projectID: "cumulus-test-1", privateKeyID: "0123456789abcdef0123456789abcdef01234567",
                                   privateKey: SecretString(TestKeys.rsa2048PKCS8), clientEmail: "svc@cumulus-test-1.iam.gserviceaccount.com",
                                   tokenURI: GCPServiceAccountValidator.defaultTokenURI)
let goodOpenStack = OpenStackCredentialInput(authURL: "https://keystone.example.org:5000/v3", username: "alice", password: "correct horse",
                                             projectName: "demo")
let goodAzure = AzureCredentialInput(tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", clientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
                                     clientSecret: "Abc8Q~secret.value_123")

func malformed<Input: CloudCredentialInput>(_ label: String, _ field: String, _ input: Input, _ change: @escaping @Sendable (inout Input) -> Void) -> MalformedInput {
    MalformedInput(label: label, field: field) { () throws(CredentialValidationError) in
        var copy = input
        change(&copy)
        try copy.validate()
    }
}

@Suite("Credential inputs")
struct CredentialInputTests {
    @Test("well-formed inputs pass")
    func wellFormed() throws {
        try goodAWS.validate()
        try goodGCP.validate()
        try goodOpenStack.validate()
        try goodAzure.validate()
        var pkcs1 = goodGCP
        pkcs1.privateKey = SecretString(TestKeys.rsa2048PKCS1)
        try pkcs1.validate()
        var temporary = goodAWS
        temporary.accessKeyID = "ASIAIOSFODNN7EXAMPLE"
        temporary.sessionToken = "FwoGZXIvYXdzEXAMPLE"
        try temporary.validate()
        var byDomain = goodAzure
        byDomain.tenantID = "contoso.onmicrosoft.com"
        try byDomain.validate()
    }

    static let malformedInputs: [MalformedInput] = [
        malformed("AWS key id lower case", "access_key_id", goodAWS) { $0.accessKeyID = "akiaiosfodnn7example" },
        malformed("AWS key id too short", "access_key_id", goodAWS) { $0.accessKeyID = "AKIA123" },
        malformed("AWS empty secret", "secret_access_key", goodAWS) { $0.secretAccessKey = "" },
        malformed("AWS secret with newline", "secret_access_key", goodAWS) { $0.secretAccessKey = "abc\n" },
        malformed("AWS temporary key without token", "session_token", goodAWS) { $0.accessKeyID = "ASIAIOSFODNN7EXAMPLE" },
        malformed("AWS empty token", "session_token", goodAWS) { $0.sessionToken = "" },
        malformed("GCP wrong type", "type", goodGCP) { $0.type = "authorized_user" },
        malformed("GCP bad project", "project_id", goodGCP) { $0.projectID = "Bad Project!" },
        malformed("GCP bad key id", "private_key_id", goodGCP) { $0.privateKeyID = "../../etc" },
        malformed("GCP key not PEM", "private_key", goodGCP) { $0.privateKey = "not a key" },
        malformed("GCP key is EC", "private_key", goodGCP) { $0.privateKey = SecretString(TestKeys.ecP256PKCS8) },
        malformed("GCP key is RSA 1024", "private_key", goodGCP) { $0.privateKey = SecretString(TestKeys.rsa1024PKCS8) },
        malformed("GCP key truncated", "private_key", goodGCP) { $0.privateKey = SecretString(String(TestKeys.rsa2048PKCS8.dropLast(120))) },
        malformed("GCP bad e-mail", "client_email", goodGCP) { $0.clientEmail = "not-an-email" },
        malformed("GCP token_uri not a URL", "token_uri", goodGCP) { $0.tokenURI = "oauth2.googleapis.com/token" },
        malformed("GCP token_uri with user info", "token_uri", goodGCP) { $0.tokenURI = "https://user:pw@oauth2.googleapis.com/token" },
        malformed("OpenStack auth_url not http", "auth_url", goodOpenStack) { $0.authURL = "file:///etc/passwd" },
        malformed("OpenStack auth_url with query", "auth_url", goodOpenStack) { $0.authURL = "https://k.example.org/v3?x=1" },
        malformed("OpenStack empty username", "username", goodOpenStack) { $0.username = "  " },
        malformed("OpenStack empty password", "password", goodOpenStack) { $0.password = "" },
        malformed("OpenStack empty project", "project_name", goodOpenStack) { $0.projectName = "" },
        malformed("OpenStack empty user domain", "user_domain_name", goodOpenStack) { $0.userDomainName = "" },
        malformed("OpenStack project domain with control char", "project_domain_name", goodOpenStack) { $0.projectDomainName = "De\u{0}fault" },
        malformed("Azure tenant with slash", "tenant_id", goodAzure) { $0.tenantID = "evil/../../x" },
        malformed("Azure tenant with leading dot", "tenant_id", goodAzure) { $0.tenantID = ".example.com" },
        malformed("Azure client id not a GUID", "client_id", goodAzure) { $0.clientID = "my-app" },
        malformed("Azure empty secret", "client_secret", goodAzure) { $0.clientSecret = "" },
        malformed("Azure bad subscription", "subscription_id", goodAzure) { $0.subscriptionID = "sub" },
    ]

    @Test("malformed inputs are refused naming the field", arguments: malformedInputs)
    func malformedInputsNameTheField(_ input: MalformedInput) {
        do {
            try input.check()
            Issue.record("\(input.label) was accepted")
        } catch {
            guard case .invalidInput(let field, let reason) = error else {
                Issue.record("expected invalidInput, got \(error)")
                return
            }
            #expect(field == input.field)
            #expect(!reason.isEmpty)
            #expect(error.httpStatus == 400)
            #expect(error.description.hasPrefix("\(input.field): "))
        }
    }

    @Test("the GCP key error uses the documented wording")
    func gcpKeyWording() {
        var key = goodGCP
        key.privateKey = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
        #expect(throws: CredentialValidationError.invalidInput(field: "private_key", reason: "not a PEM RSA key (2048 bits or more)")) {
            try key.validate()
        }
    }

    @Test("secret fields are listed per provider and exist in the encoded JSON")
    func secretFields() throws {
        #expect(CredentialSecretFields.fields(for: .aws) == ["secret_access_key", "session_token"])
        #expect(CredentialSecretFields.fields(for: .gcp) == ["private_key"])
        #expect(CredentialSecretFields.fields(for: .openstack) == ["password"])
        #expect(CredentialSecretFields.fields(for: .azure) == ["client_secret"])

        var aws = goodAWS
        aws.sessionToken = "token"
        let encoded: [(CloudProvider, Data)] = [
            (.aws, try JSONEncoder().encode(aws)), (.gcp, try JSONEncoder().encode(goodGCP)),
            (.openstack, try JSONEncoder().encode(goodOpenStack)), (.azure, try JSONEncoder().encode(goodAzure)),
        ]
        for (provider, data) in encoded {
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for field in CredentialSecretFields.fields(for: provider) {
                #expect(object[field] is String, "\(provider): secret field \(field) missing from the JSON")
            }
        }
    }

    @Test("descriptions, dumps and errors never show a secret")
    func noSecretsShown() throws {
        var aws = goodAWS
        aws.sessionToken = "FwoGZXIvYXdzSESSIONTOKEN"
        let secrets = ["wJalrXUtnFEMI", "FwoGZXIvYXdzSESSIONTOKEN", "correct horse", "Abc8Q~secret", "BEGIN PRIVATE KEY", "MIIEv"]
        let inputs: [any CloudCredentialInput] = [aws, goodGCP, goodOpenStack, goodAzure]
        for input in inputs {
            for text in ["\(input)", String(describing: input), String(reflecting: input), dumped(input)] {
                for secret in secrets {
                    #expect(!text.contains(secret), "\(type(of: input)) shows a secret: \(text)")
                }
            }
        }
        // A secret with a stray character must not come back in the error.
        var badSecret = goodAzure
        badSecret.clientSecret = "Abc8Q~secret with space"
        do {
            try badSecret.validate()
            Issue.record("accepted a secret with a space")
        } catch {
            #expect(!error.description.contains("Abc8Q~secret"))
        }
    }

    @Test("a Google key file decodes as downloaded, extra fields ignored")
    func decodesGoogleKeyFile() throws {
        let file: [String: String] = [
            "type": "service_account", "project_id": "cumulus-test-1", "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": TestKeys.rsa2048PKCS8 + "\n", "client_email": "svc@cumulus-test-1.iam.gserviceaccount.com",
            "client_id": "111111111111111111111", "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token", "universe_domain": "googleapis.com",
        ]
        let key = try JSONDecoder().decode(GCPServiceAccountKey.self, from: JSONSerialization.data(withJSONObject: file))
        try key.validate()
        #expect(key.clientID == "111111111111111111111")
        #expect(key.tokenURI == GCPServiceAccountValidator.defaultTokenURI)
    }

    @Test("Keystone auth_url with or without /v3", arguments: [
        ("https://k.example.org:5000", "https://k.example.org:5000/v3/auth/tokens"),
        ("https://k.example.org:5000/", "https://k.example.org:5000/v3/auth/tokens"),
        ("https://k.example.org:5000/v3", "https://k.example.org:5000/v3/auth/tokens"),
        ("https://k.example.org:5000/v3/", "https://k.example.org:5000/v3/auth/tokens"),
        ("https://k.example.org/identity/V3", "https://k.example.org/identity/v3/auth/tokens"),
    ])
    func keystoneTokensURL(_ authURL: String, _ expected: String) {
        var input = goodOpenStack
        input.authURL = authURL
        #expect(input.tokensURL == expected)
    }

    @Test("errors map to 400, 422 and 502")
    func httpStatuses() {
        #expect(CredentialValidationError.invalidInput(field: "x", reason: "y").httpStatus == 400)
        #expect(CredentialValidationError.rejected(provider: .aws, code: "c", message: "m").httpStatus == 422)
        #expect(CredentialValidationError.providerUnavailable(provider: .gcp, endpoint: "e", reason: "r").httpStatus == 502)
    }
}
