import Crypto
import Foundation
import SeededRandom
import Testing

@testable import SecureAggregation

@Suite("SecAgg+ security: the coordinator sees no update, tampering and replays are caught")
struct SecurityTests {
    // MARK: What the coordinator holds

    /// Every `[UInt32]`, `[Float]` and `Data` reachable from `value` (stored properties,
    /// collections, enum payloads, private ones included).
    static func buffers(in value: Any, depth: Int = 0) -> (words: [[UInt32]], floats: [[Float]], bytes: [Data]) {
        // (An empty array of any element type casts to [UInt32]; only non-empty ones count.)
        if let words = value as? [UInt32], !words.isEmpty { return ([words], [], []) }
        if let floats = value as? [Float], !floats.isEmpty { return ([], [floats], []) }
        if let data = value as? Data { return ([], [], [data]) }
        guard depth < 12 else { return ([], [], []) }
        var found: (words: [[UInt32]], floats: [[Float]], bytes: [Data]) = ([], [], [])
        for child in Mirror(reflecting: value).children {
            let inner = buffers(in: child.value, depth: depth + 1)
            found.words += inner.words
            found.floats += inner.floats
            found.bytes += inner.bytes
        }
        return found
    }

    /// Pearson correlation of two equally long vectors.
    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let meanA = a.reduce(0, +) / Double(a.count)
        let meanB = b.reduce(0, +) / Double(b.count)
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for (x, y) in zip(a, b) {
            covariance += (x - meanA) * (y - meanB)
            varianceA += (x - meanA) * (x - meanA)
            varianceB += (y - meanB) * (y - meanB)
        }
        return covariance / (varianceA * varianceB).squareRoot()
    }

    /// Asserts that `words` neither equals nor tracks the plain quantised vector `plain`.
    static func expectHidden(_ words: [UInt32], from plain: [UInt32], _ comment: Comment) {
        guard words.count == plain.count else { return }
        let equal = zip(words, plain).filter { $0 == $1 }.count
        // A uniformly random word matches with probability 2⁻³²; allow a couple.
        #expect(equal <= 2, comment)
        let r = correlation(words.map { Double(Int32(bitPattern: $0)) }, plain.map { Double(Int32(bitPattern: $0)) })
        // 2 000 independent pairs: σ(r) ≈ 0.022, so 0.15 is about 7σ.
        #expect(abs(r) < 0.15, comment)
    }

    /// Asserts that no run of 8 consecutive plain words appears in `data` (little-endian).
    static func expectNoPlainWindow(in data: Data, of plain: [UInt32], _ comment: Comment) {
        let window = MaskedInput.littleEndianBytes(Array(plain[100..<108]))
        #expect(data.range(of: window) == nil, comment)
    }

    @Test("no relayed message and no server state holds an update in the clear, with and without dropouts",
          arguments: [[:], [SecAggStage.maskedInput: Set([AgentID("agent-1")])]])
    func coordinatorLearnsOnlyTheSum(dropouts: [SecAggStage: Set<AgentID>]) throws {
        let fixture = try RoundFixture(agents: 5, threshold: 3, length: 2000, rounding: .nearest)
        var generator = Xoshiro256StarStar(seed: 0)
        let plain = try Dictionary(uniqueKeysWithValues: fixture.ids.map { id in
            (id, try fixture.configuration.quantiser.quantise(fixture.updates[id]!, using: &generator))
        })
        var relayed: [RelayedMessage] = []
        let result = try fixture.run(dropouts: dropouts) { relayed.append($0) }
        #expect(result.contributors.count == 5 - dropouts.values.reduce(0) { $0 + $1.count })

        var maskedInputs = 0
        for message in relayed {
            let found = Self.buffers(in: message)
            for (id, quantised) in plain {
                for words in found.words { Self.expectHidden(words, from: quantised, "\(message) vs \(id)") }
                for floats in found.floats { #expect(floats != fixture.updates[id]!) }
                for data in found.bytes { Self.expectNoPlainWindow(in: data, of: quantised, "bytes of a message vs \(id)") }
            }
            if case .maskedInput = message { maskedInputs += 1 }
        }
        #expect(maskedInputs == result.contributors.count)
    }

    @Test("the server's running sum is masked while inputs arrive, and nothing is left after unmasking")
    func serverStateIsMasked() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 2000, rounding: .nearest)
        var generator = Xoshiro256StarStar(seed: 0)
        let plain = try fixture.ids.map { try fixture.configuration.quantiser.quantise(fixture.updates[$0]!, using: &generator) }
        var plainSum = [UInt32](repeating: 0, count: 2000)
        for vector in plain { for index in vector.indices { plainSum[index] &+= vector[index] } }

        var round = try ManualRound(fixture)
        let deliveries = try round.share(round.advertise())
        let inputs = try round.maskedInputs(deliveries)
        for id in fixture.ids {
            try round.server.receive(inputs[id]!)
            let state = Self.buffers(in: round.server)
            #expect(state.floats.isEmpty)
            // One vector: the running sum. It hides every update and every partial plain sum.
            #expect(state.words.count == 1)
            for (index, vector) in plain.enumerated() { Self.expectHidden(state.words[0], from: vector, "state vs update \(index)") }
            Self.expectHidden(state.words[0], from: plainSum, "state vs the plain sum")
        }
        let unmasking = try round.consistency(round.server.closeMaskedInput())
        let result = try round.unmask(unmasking)
        #expect(result.quantisedSum == plainSum)
        let state = Self.buffers(in: round.server)
        #expect(state.words.isEmpty)
    }

    @Test("an agent reveals exactly one share per owner: seed shares for survivors, key shares for the dropped")
    func oneShareKindPerOwner() throws {
        let fixture = try RoundFixture(agents: 5, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        let deliveries = try round.share(round.advertise())
        let inputs = try round.maskedInputs(deliveries)
        let dropped = fixture.ids[2]
        for (id, input) in inputs where id != dropped { try round.server.receive(input) }
        let request = try round.consistency(round.server.closeMaskedInput())
        let responder = fixture.ids[0]
        let response = try round.clients[responder]!.unmask(request)
        #expect(response.shares.map(\.owner) == fixture.ids)
        for share in response.shares {
            #expect(share.secret == (share.owner == dropped ? .maskAgreementKey : .selfMaskSeed))
        }
        // Asked again, it answers nothing.
        #expect(throws: SecAggError.wrongStage(expected: .unmasking, actual: .finished)) { try round.clients[responder]!.unmask(request) }
    }

    // MARK: Tampering

    @Test("a share altered by the coordinator fails its signature, at the coordinator's check and at the recipient")
    func tamperedShareSignature() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        let rosters = try round.advertise()
        let (a, b) = (fixture.ids[0], fixture.ids[1])
        var bundle = try round.clients[a]!.shareKeys(rosters[a]!)
        let honest = bundle
        bundle.shares[0].ciphertext = bundle.shares[0].ciphertext.flippingBit(at: 20)
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .shareKeys)) { try round.server.receive(bundle) }
        try round.server.receive(honest)
        for id in fixture.ids.dropFirst() { try round.server.receive(round.clients[id]!.shareKeys(rosters[id]!)) }
        var deliveries = try round.server.closeSharing()
        let index = deliveries[b]!.shares.firstIndex { $0.sender == a }!
        deliveries[b]!.shares[index].ciphertext = deliveries[b]!.shares[index].ciphertext.flippingBit(at: 30)
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .shareKeys)) {
            try round.clients[b]!.maskInput(deliveries[b]!, update: fixture.updates[b]!)
        }
        #expect(round.clients[b]!.stage == .aborted)
    }

    @Test("a share whose ciphertext is altered but validly signed fails authenticated decryption")
    func tamperedShareCiphertext() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        let deliveries = try round.share(round.advertise())
        let (sender, recipient) = (fixture.ids[0], fixture.ids[3])
        var delivery = deliveries[recipient]!
        let index = delivery.shares.firstIndex { $0.sender == sender }!
        // Only the sender's key can sign; this models a faulty or malicious sender (or a leaked
        // signing key): the AEAD still refuses the altered share.
        delivery.shares[index].ciphertext = delivery.shares[index].ciphertext.flippingBit(at: 40)
        delivery.shares[index].signature = try fixture.signingKeys[sender]!.signature(for: delivery.shares[index].signedContent.bytes)
        #expect(throws: SecAggError.shareDecryptionFailed(sender: sender, recipient: recipient)) {
            try round.clients[recipient]!.maskInput(delivery, update: fixture.updates[recipient]!)
        }
    }

    @Test("a share redirected to another agent is refused as misaddressed")
    func redirectedShare() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        let deliveries = try round.share(round.advertise())
        let (b, c) = (fixture.ids[1], fixture.ids[2])
        var delivery = deliveries[c]!
        let foreign = deliveries[b]!.shares.first { $0.sender != c }!
        delivery.shares.removeAll { $0.sender == foreign.sender }
        delivery.shares.append(foreign)
        #expect(throws: SecAggError.misaddressed(sender: foreign.sender, recipient: b, stage: .shareKeys)) {
            try round.clients[c]!.maskInput(delivery, update: fixture.updates[c]!)
        }
    }

    @Test("a coordinator that substitutes an agent's public key (man in the middle) is caught by its signature")
    func substitutedKey() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        let a = fixture.ids[0]
        var advertisement = try round.clients[a]!.advertiseKeys()
        let honest = advertisement
        advertisement.maskingKey = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .advertiseKeys)) { try round.server.receive(advertisement) }
        // Re-signed with a key of the coordinator's own: still not a's key.
        advertisement.signature = try Curve25519.Signing.PrivateKey().signature(for: advertisement.signedContent.bytes)
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .advertiseKeys)) { try round.server.receive(advertisement) }
        try round.server.receive(honest)
        for id in fixture.ids.dropFirst() { try round.server.receive(round.clients[id]!.advertiseKeys()) }
        var rosters = try round.server.closeAdvertisement()
        let b = fixture.ids[1]
        let index = rosters[b]!.advertisements.firstIndex { $0.sender == a }!
        rosters[b]!.advertisements[index] = advertisement
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .advertiseKeys)) { try round.clients[b]!.shareKeys(rosters[b]!) }
    }

    @Test("an altered masked input, consistency signature or unmasking response is refused")
    func tamperedLaterMessages() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        let inputs = try round.maskedInputs(round.share(round.advertise()))
        let (a, b) = (fixture.ids[0], fixture.ids[1])
        var altered = inputs[a]!
        altered.vector[3] &+= 1
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .maskedInput)) { try round.server.receive(altered) }
        for id in fixture.ids { try round.server.receive(inputs[id]!) }

        let consistency = try round.server.closeMaskedInput()
        var signature = try round.clients[a]!.signConsistency(consistency)
        let honest = signature
        signature.signature = signature.signature.flippingBit(at: 5)
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .consistencyCheck)) { try round.server.receive(signature) }
        try round.server.receive(honest)
        for id in fixture.ids.dropFirst() { try round.server.receive(round.clients[id]!.signConsistency(consistency)) }
        var request = try round.server.closeConsistency()
        let full = request

        // A forged signature slipped into the unmasking request: the agent refuses to reveal.
        var forged = request
        forged.signatures[1].signature = forged.signatures[1].signature.flippingBit(at: 9)
        var victim = round.clients[b]!
        #expect(throws: SecAggError.invalidSignature(sender: forged.signatures[1].sender, stage: .consistencyCheck)) { try victim.unmask(forged) }

        // Too few signatures: below the threshold, nothing revealed.
        request.signatures = Array(request.signatures.prefix(2))
        victim = round.clients[b]!
        #expect(throws: SecAggError.belowThreshold(stage: .consistencyCheck, survivors: 2, threshold: 3)) { try victim.unmask(request) }

        var response = try round.clients[b]!.unmask(full)
        response.shares[0].share.values[0] = PrimeField.add(response.shares[0].share.values[0], 1)
        #expect(throws: SecAggError.invalidSignature(sender: b, stage: .unmasking)) { try round.server.receive(response) }
    }

    @Test("a survivor list other than the signed one is refused")
    func survivorSetMismatch() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        let inputs = try round.maskedInputs(round.share(round.advertise()))
        for id in fixture.ids { try round.server.receive(inputs[id]!) }
        let request = try round.consistency(round.server.closeMaskedInput())
        var lying = request
        lying.survivors.removeLast()
        #expect(throws: SecAggError.survivorSetMismatch) { try round.clients[fixture.ids[0]]!.unmask(lying) }
    }

    // MARK: Replays

    @Test("a message sent twice is refused as a duplicate")
    func duplicates() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        let a = fixture.ids[0]
        var client = round.clients[a]!
        let advertisement = try client.advertiseKeys()
        try round.server.receive(advertisement)
        #expect(throws: SecAggError.duplicateMessage(sender: a, stage: .advertiseKeys)) { try round.server.receive(advertisement) }
        // And the agent itself answers each stage once.
        #expect(throws: SecAggError.wrongStage(expected: .advertiseKeys, actual: .shareKeys)) { try client.advertiseKeys() }

        round = try ManualRound(fixture)
        let inputs = try round.maskedInputs(round.share(round.advertise()))
        try round.server.receive(inputs[a]!)
        #expect(throws: SecAggError.duplicateMessage(sender: a, stage: .maskedInput)) { try round.server.receive(inputs[a]!) }
    }

    @Test("messages from an earlier round are refused, even relabelled with the current session")
    func crossRoundReplay() throws {
        let earlier = try RoundFixture(agents: 4, threshold: 3, length: 8, roundID: "job-1/round-1")
        let current = try RoundFixture(agents: 4, threshold: 3, length: 8, roundID: "job-1/round-2", signingKeys: earlier.signingKeys)
        var old = try ManualRound(earlier)
        let oldInputs = try old.maskedInputs(old.share(old.advertise()))
        var round = try ManualRound(current)
        let a = current.ids[0]
        var oldClient = try SecAggClient(configuration: earlier.configuration, id: a, signingKey: earlier.signingKeys[a]!)
        let oldAdvertisement = try oldClient.advertiseKeys()
        #expect(throws: SecAggError.sessionMismatch(sender: a, stage: .advertiseKeys)) { try round.server.receive(oldAdvertisement) }
        var relabelled = oldAdvertisement
        relabelled.session = current.configuration.session
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .advertiseKeys)) { try round.server.receive(relabelled) }

        let _ = try round.share(round.advertise())
        #expect(throws: SecAggError.sessionMismatch(sender: a, stage: .maskedInput)) { try round.server.receive(oldInputs[a]!) }
        var relabelledInput = oldInputs[a]!
        relabelledInput.session = current.configuration.session
        #expect(throws: SecAggError.invalidSignature(sender: a, stage: .maskedInput)) { try round.server.receive(relabelledInput) }
    }

    @Test("messages survive a JSON round trip, and masked vectors travel as bytes")
    func codable() throws {
        let fixture = try RoundFixture(agents: 3, threshold: 2, length: 5)
        var round = try ManualRound(fixture)
        let inputs = try round.maskedInputs(round.share(round.advertise()))
        let input = inputs[fixture.ids[0]]!
        let json = try JSONEncoder().encode(input)
        let decoded = try JSONDecoder().decode(MaskedInput.self, from: json)
        #expect(decoded == input)
        try round.server.receive(decoded)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        #expect(object?["vector"] is String)
    }
}
