import Crypto
import Foundation
import Testing
@testable import SecureAggregation

/// The checks the coordinator makes when a message arrives, before any other agent's message
/// is consulted.
@Suite struct WireTests {
    @Test func aMessageMustBeTheCallersOwnForThisSessionAndSignedByIt() throws {
        let fixture = try RoundFixture(agents: 3, threshold: 2)
        let ids = fixture.ids
        var client = try SecAggClient(configuration: fixture.configuration, id: ids[0], signingKey: fixture.signingKeys[ids[0]]!)
        let advertisement = try client.advertiseKeys()
        try fixture.configuration.authenticate(advertisement, from: ids[0])
        // Another agent forwarding it is refused: the message names its real sender.
        #expect(throws: SecAggError.self) { try fixture.configuration.authenticate(advertisement, from: ids[1]) }
        // A changed key breaks the signature.
        var altered = advertisement
        altered.maskingKey = Data(repeating: 7, count: 32)
        #expect(throws: SecAggError.invalidSignature(sender: ids[0], stage: .advertiseKeys)) {
            try fixture.configuration.authenticate(altered, from: ids[0])
        }
        // The same agent in another round's session is refused.
        let other = try RoundFixture(agents: 3, threshold: 2, roundID: "job-1/round-2", signingKeys: fixture.signingKeys)
        #expect(throws: SecAggError.sessionMismatch(sender: ids[0], stage: .advertiseKeys)) {
            try other.configuration.authenticate(advertisement, from: ids[0])
        }
    }

    @Test func theThresholdIsMoreThanHalfAndAtLeastTheFraction() {
        #expect(SecAggConfiguration.threshold(fraction: 0.6, participants: 5) == 3)
        #expect(SecAggConfiguration.threshold(fraction: 0.51, participants: 4) == 3)
        #expect(SecAggConfiguration.threshold(fraction: 1, participants: 7) == 7)
        #expect(SecAggConfiguration.threshold(fraction: 0.67, participants: 2) == 2)
        for n in 2...40 {
            let t = SecAggConfiguration.threshold(fraction: 0.67, participants: n)
            #expect(2 * t > n && t <= n && t >= 2)
        }
    }
}
