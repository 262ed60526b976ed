import Crypto
import Foundation
import Testing

@testable import GovernanceService

@Suite struct SecretBoxTests {
    let old = SymmetricKey(size: .bits256)
    let new = SymmetricKey(size: .bits256)

    @Test func sealsWithTheActiveKeyAndOpensWithTheNamedOne() throws {
        let before = try SecretBox(activeKeyID: "k1", keys: ["k1": old])
        let sealed = try before.seal(Data("aws-secret".utf8), context: "credential:1")
        #expect(!sealed.contains("aws-secret"))
        #expect(SecretBox.keyID(of: sealed) == "k1")
        // After rotation new secrets use k2 and old ones still open.
        let after = try SecretBox(activeKeyID: "k2", keys: ["k1": old, "k2": new])
        #expect(try after.open(sealed, context: "credential:1") == Data("aws-secret".utf8))
        #expect(SecretBox.keyID(of: try after.seal(Data("x".utf8), context: "c")) == "k2")
    }

    @Test func tamperingWrongContextAndUnknownKeysFail() throws {
        let box = try SecretBox(activeKeyID: "k1", keys: ["k1": old])
        let sealed = try box.seal(Data("secret".utf8), context: "credential:1")
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open(sealed, context: "credential:2") }
        var bytes = Array(Data(base64Encoded: String(sealed.split(separator: ":")[2]))!)
        bytes[bytes.count - 1] ^= 1
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open("v1:k1:\(Data(bytes).base64EncodedString())", context: "credential:1") }
        #expect(throws: SecretBox.Failure.unknownKey("k9")) { try box.open(sealed.replacingOccurrences(of: "v1:k1:", with: "v1:k9:"), context: "credential:1") }
        #expect(throws: SecretBox.Failure.malformedEnvelope) { try box.open("plain", context: "credential:1") }
        #expect(throws: SecretBox.Failure.unknownKey("k2")) { try SecretBox(activeKeyID: "k2", keys: ["k1": old]) }
    }

    @Test func keyringsParseStrictly() {
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        #expect(SecretBox.parseKeyring("k1:\(key),k2:\(key)")?.count == 2)
        #expect(SecretBox.parseKeyring("k1:\(Data(repeating: 7, count: 16).base64EncodedString())") == nil)
        #expect(SecretBox.parseKeyring("nokey") == nil)
        #expect(SecretBox.parseKeyring("") == nil)
    }
}
