import Crypto
import Foundation

/// One agent's side of a SecAgg+ round: a value-type state machine, one method per stage.
///
/// Each method checks the stage, the session and every signature of what it is given, and
/// returns the signed message to send. A call out of order throws
/// ``SecAggError/wrongStage(expected:actual:)`` and changes nothing (so a replayed request is
/// refused: every stage answers once); any other error moves the agent to `.aborted`, and it
/// answers nothing more in this round.
///
/// Secrets (X25519 keys, self-mask seed, Shamir coefficients) come from swift-crypto and
/// `SystemRandomNumberGenerator` (the operating system's CSPRNG); they are never seeded.
public struct SecAggClient: Sendable {
    public let configuration: SecAggConfiguration
    public let id: AgentID
    public private(set) var stage: SecAggStage = .advertiseKeys

    private let position: Int
    private let signingKey: Curve25519.Signing.PrivateKey
    private let encryptionKey = Curve25519.KeyAgreement.PrivateKey()
    private let maskingKey = Curve25519.KeyAgreement.PrivateKey()
    private let seed: [UInt8]

    private struct PeerKeys: Sendable {
        var encryption: Curve25519.KeyAgreement.PublicKey
        var masking: Curve25519.KeyAgreement.PublicKey
    }

    private struct HeldShares: Sendable {
        var selfMaskSeed: ShamirShare
        var maskAgreementKey: ShamirShare
    }

    /// Neighbours whose advertisements were accepted, by position.
    private var peers: [Int: PeerKeys] = [:]
    /// Shares held, by owner position (this agent's own shares included).
    private var held: [Int: HeldShares] = [:]
    /// The survivor list this agent signed in the consistency check.
    private var signedSurvivors: [AgentID]?

    /// - Parameter signingKey: the agent's long-term Ed25519 key, whose public half the
    ///   configuration lists for `id`.
    public init(configuration: SecAggConfiguration, id: AgentID, signingKey: Curve25519.Signing.PrivateKey) throws(SecAggError) {
        let position = try configuration.position(of: id)
        guard configuration.participants[position].signingKey == signingKey.publicKey.rawRepresentation else {
            throw .invalidConfiguration("the signing key of \(id) is not the one registered in the roster")
        }
        self.configuration = configuration
        self.id = id
        self.position = position
        self.signingKey = signingKey
        var generator = SystemRandomNumberGenerator()
        seed = (0..<ShamirSecretSharing.secretLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private var session: SessionID { configuration.session }

    // MARK: Stage 1

    /// The signed advertisement of this agent's fresh public keys.
    public mutating func advertiseKeys() throws(SecAggError) -> KeyAdvertisement {
        try expect(.advertiseKeys)
        var advertisement = KeyAdvertisement(
            session: session, sender: id,
            encryptionKey: encryptionKey.publicKey.rawRepresentation,
            maskingKey: maskingKey.publicKey.rawRepresentation,
            seedCommitment: KeyDerivation.seedCommitment(seed: seed, session: session, owner: id),
            signature: Data())
        advertisement.signature = try sign(advertisement.signedContent)
        stage = .shareKeys
        return advertisement
    }

    // MARK: Stage 2

    /// Checks the neighbours' advertisements and returns this agent's encrypted shares for them.
    /// Throws ``SecAggError/belowThreshold(stage:survivors:threshold:)`` when fewer than t
    /// holders (neighbours plus itself) remain to share with.
    public mutating func shareKeys(_ roster: KeyRoster) throws(SecAggError) -> ShareBundle {
        try expect(.shareKeys)
        return try abortingOnError { client throws(SecAggError) in try client.shareKeysChecked(roster) }
    }

    private mutating func shareKeysChecked(_ roster: KeyRoster) throws(SecAggError) -> ShareBundle {
        guard roster.recipient == id else { throw .misaddressed(sender: roster.recipient, recipient: id, stage: .shareKeys) }
        var accepted: [Int: PeerKeys] = [:]
        for advertisement in roster.advertisements {
            let sender = try configuration.position(of: advertisement.sender)
            guard advertisement.session == session else { throw .sessionMismatch(sender: advertisement.sender, stage: .advertiseKeys) }
            try configuration.verify(advertisement.signature, of: advertisement.signedContent, by: sender, stage: .advertiseKeys)
            if sender == position {
                guard advertisement.encryptionKey == encryptionKey.publicKey.rawRepresentation,
                      advertisement.maskingKey == maskingKey.publicKey.rawRepresentation else {
                    throw .malformedMessage(sender: id, stage: .shareKeys, reason: "roster carries another advertisement for this agent")
                }
                continue
            }
            guard configuration.graph.areNeighbours(position, sender) else { throw .unexpectedSender(advertisement.sender, stage: .advertiseKeys) }
            guard accepted[sender] == nil else { throw .duplicateMessage(sender: advertisement.sender, stage: .advertiseKeys) }
            guard let encryption = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: advertisement.encryptionKey),
                  let masking = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: advertisement.maskingKey),
                  advertisement.seedCommitment.count == SHA256.byteCount else {
                throw .malformedMessage(sender: advertisement.sender, stage: .advertiseKeys, reason: "keys or commitment have the wrong size")
            }
            accepted[sender] = PeerKeys(encryption: encryption, masking: masking)
        }
        let holders = accepted.keys.sorted() + [position]
        guard holders.count >= configuration.threshold else {
            throw .belowThreshold(stage: .shareKeys, survivors: holders.count, threshold: configuration.threshold)
        }

        var generator = SystemRandomNumberGenerator()
        let points = holders.map(configuration.shamirPoint(of:))
        let seedShares = ShamirSecretSharing.split(seed, threshold: configuration.threshold, points: points, using: &generator)
        let keyShares = ShamirSecretSharing.split(Array(maskingKey.rawRepresentation), threshold: configuration.threshold,
                                                  points: points, using: &generator)
        var encrypted: [EncryptedShare] = []
        for (index, holder) in holders.enumerated() {
            let shares = HeldShares(selfMaskSeed: seedShares[index], maskAgreementKey: keyShares[index])
            if holder == position {
                held[position] = shares
                continue
            }
            let recipient = configuration.id(at: holder)
            let key = try KeyDerivation.shareEncryptionKey(own: encryptionKey, peer: accepted[holder]!.encryption,
                                                          session: session, sender: id, recipient: recipient)
            let plaintext = shares.selfMaskSeed.bytes + shares.maskAgreementKey.values.flatMap { value in
                withUnsafeBytes(of: value.littleEndian, Array.init)
            }
            let associatedData = KeyDerivation.shareAssociatedData(session: session, sender: id, recipient: recipient)
            let sealed = try crypto { try ChaChaPoly.seal(plaintext, using: key, authenticating: associatedData).combined }
            var share = EncryptedShare(session: session, sender: id, recipient: recipient, ciphertext: sealed, signature: Data())
            share.signature = try sign(share.signedContent)
            encrypted.append(share)
        }
        peers = accepted
        stage = .maskedInput
        return ShareBundle(session: session, sender: id, shares: encrypted)
    }

    // MARK: Stage 3

    /// Checks and decrypts the delivered shares, then quantises `update` and masks it with the
    /// self mask and one pairwise mask per neighbour whose shares arrived.
    /// - Parameter generator: drives stochastic rounding only (see ``Quantiser``).
    public mutating func maskInput(_ delivery: ShareDelivery, update: [Float],
                                   using generator: inout some RandomNumberGenerator) throws(SecAggError) -> MaskedInput {
        try expect(.maskedInput)
        guard update.count == configuration.vectorLength else {
            throw .vectorLengthMismatch(sender: id, expected: configuration.vectorLength, actual: update.count)
        }
        let quantised = try configuration.quantiser.quantise(update, using: &generator)
        return try maskQuantised(delivery, quantised: quantised)
    }

    /// ``maskInput(_:update:using:)`` with the operating system's generator for rounding.
    public mutating func maskInput(_ delivery: ShareDelivery, update: [Float]) throws(SecAggError) -> MaskedInput {
        var generator = SystemRandomNumberGenerator()
        return try maskInput(delivery, update: update, using: &generator)
    }

    /// Masks an already quantised update (see ``Quantiser``).
    public mutating func maskQuantised(_ delivery: ShareDelivery, quantised: [UInt32]) throws(SecAggError) -> MaskedInput {
        try expect(.maskedInput)
        return try abortingOnError { client throws(SecAggError) in try client.maskChecked(delivery, quantised: quantised) }
    }

    private mutating func maskChecked(_ delivery: ShareDelivery, quantised: [UInt32]) throws(SecAggError) -> MaskedInput {
        guard quantised.count == configuration.vectorLength else {
            throw .vectorLengthMismatch(sender: id, expected: configuration.vectorLength, actual: quantised.count)
        }
        guard delivery.recipient == id else { throw .misaddressed(sender: delivery.recipient, recipient: id, stage: .maskedInput) }
        guard delivery.session == session else { throw .sessionMismatch(sender: id, stage: .maskedInput) }
        var received: [Int: HeldShares] = [:]
        for share in delivery.shares {
            let sender = try configuration.position(of: share.sender)
            guard share.session == session else { throw .sessionMismatch(sender: share.sender, stage: .shareKeys) }
            guard share.recipient == id else { throw .misaddressed(sender: share.sender, recipient: share.recipient, stage: .shareKeys) }
            guard let peer = peers[sender] else { throw .unexpectedSender(share.sender, stage: .shareKeys) }
            guard received[sender] == nil else { throw .duplicateMessage(sender: share.sender, stage: .shareKeys) }
            try configuration.verify(share.signature, of: share.signedContent, by: sender, stage: .shareKeys)
            let key = try KeyDerivation.shareEncryptionKey(own: encryptionKey, peer: peer.encryption,
                                                          session: session, sender: share.sender, recipient: id)
            let associatedData = KeyDerivation.shareAssociatedData(session: session, sender: share.sender, recipient: id)
            guard let box = try? ChaChaPoly.SealedBox(combined: share.ciphertext),
                  let plaintext = try? ChaChaPoly.open(box, using: key, authenticating: associatedData) else {
                throw .shareDecryptionFailed(sender: share.sender, recipient: id)
            }
            let shareBytes = 8 * (1 + ShamirSecretSharing.chunkCount)
            let point = configuration.shamirPoint(of: position)
            guard plaintext.count == shareBytes + 8 * ShamirSecretSharing.chunkCount,
                  let seedShare = ShamirShare(bytes: plaintext.prefix(shareBytes)), seedShare.x == point,
                  let keyShare = ShamirShare(bytes: withUnsafeBytes(of: point.littleEndian, Array.init) + plaintext.dropFirst(shareBytes)) else {
                throw .malformedMessage(sender: share.sender, stage: .shareKeys, reason: "decrypted share is not a share for \(id)")
            }
            received[sender] = HeldShares(selfMaskSeed: seedShare, maskAgreementKey: keyShare)
        }
        // Masking with fewer than t − 1 neighbours would leave the update protected by too few
        // pairwise masks; Bonawitz et al. abort here too (|U2| < t).
        guard received.count + 1 >= configuration.threshold else {
            throw .belowThreshold(stage: .maskedInput, survivors: received.count + 1, threshold: configuration.threshold)
        }

        var vector = quantised
        try MaskExpander.apply(key: KeyDerivation.selfMaskKey(seed: seed, session: session, owner: id), to: &vector, subtract: false)
        for neighbour in received.keys.sorted() {
            let key = try KeyDerivation.pairwiseMaskKey(own: maskingKey, peer: peers[neighbour]!.masking, session: session,
                                                       between: id, and: configuration.id(at: neighbour))
            // The lower roster position adds the pair's mask, the higher one subtracts it.
            try MaskExpander.apply(key: key, to: &vector, subtract: neighbour < position)
        }
        held.merge(received) { own, _ in own }
        var input = MaskedInput(session: session, sender: id, vector: vector, signature: Data())
        input.signature = try sign(input.signedContent)
        stage = .consistencyCheck
        return input
    }

    // MARK: Stage 4

    /// Signs the coordinator's survivor list (at least t agents, sorted, all in the roster).
    public mutating func signConsistency(_ request: ConsistencyRequest) throws(SecAggError) -> ConsistencySignature {
        try expect(.consistencyCheck)
        return try abortingOnError { client throws(SecAggError) in
            guard request.session == client.session else { throw .sessionMismatch(sender: client.id, stage: .consistencyCheck) }
            try client.checkSurvivorList(request.survivors)
            let signature = try client.sign(ConsistencySignature.signedContent(session: client.session, sender: client.id,
                                                                               survivors: request.survivors))
            client.signedSurvivors = request.survivors
            client.stage = .unmasking
            return ConsistencySignature(session: client.session, sender: client.id, signature: signature)
        }
    }

    private func checkSurvivorList(_ survivors: [AgentID]) throws(SecAggError) {
        for id in survivors { _ = try configuration.position(of: id) }
        guard zip(survivors, survivors.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .malformedMessage(sender: id, stage: .consistencyCheck, reason: "survivor list is not sorted and duplicate-free")
        }
        guard survivors.count >= configuration.threshold else {
            throw .belowThreshold(stage: .consistencyCheck, survivors: survivors.count, threshold: configuration.threshold)
        }
    }

    // MARK: Stage 5

    /// After checking at least t valid signatures over the survivor list it signed, reveals
    /// each held owner's seed share if the owner survived, else its mask-key share. Answers once.
    public mutating func unmask(_ request: UnmaskingRequest) throws(SecAggError) -> UnmaskingResponse {
        try expect(.unmasking)
        return try abortingOnError { client throws(SecAggError) in try client.unmaskChecked(request) }
    }

    private mutating func unmaskChecked(_ request: UnmaskingRequest) throws(SecAggError) -> UnmaskingResponse {
        guard request.session == session else { throw .sessionMismatch(sender: id, stage: .unmasking) }
        guard request.survivors == signedSurvivors else { throw .survivorSetMismatch }
        let survivors = Set(request.survivors)
        var signers: Set<Int> = []
        for signature in request.signatures {
            let signer = try configuration.position(of: signature.sender)
            guard signature.session == session else { throw .sessionMismatch(sender: signature.sender, stage: .consistencyCheck) }
            guard survivors.contains(signature.sender) else { throw .unexpectedSender(signature.sender, stage: .consistencyCheck) }
            guard signers.insert(signer).inserted else { throw .duplicateMessage(sender: signature.sender, stage: .consistencyCheck) }
            let content = ConsistencySignature.signedContent(session: session, sender: signature.sender, survivors: request.survivors)
            try configuration.verify(signature.signature, of: content, by: signer, stage: .consistencyCheck)
        }
        guard signers.count >= configuration.threshold else {
            throw .belowThreshold(stage: .consistencyCheck, survivors: signers.count, threshold: configuration.threshold)
        }
        let revealed = held.keys.sorted().map { owner in
            let ownerID = configuration.id(at: owner)
            return survivors.contains(ownerID)
                ? RevealedShare(owner: ownerID, secret: .selfMaskSeed, share: held[owner]!.selfMaskSeed)
                : RevealedShare(owner: ownerID, secret: .maskAgreementKey, share: held[owner]!.maskAgreementKey)
        }
        var response = UnmaskingResponse(session: session, sender: id, shares: revealed, signature: Data())
        response.signature = try sign(response.signedContent)
        stage = .finished
        return response
    }

    // MARK: Helpers

    private func expect(_ expected: SecAggStage) throws(SecAggError) {
        guard stage == expected else { throw .wrongStage(expected: expected, actual: stage) }
    }

    private func sign(_ transcript: Transcript) throws(SecAggError) -> Data {
        try crypto { try signingKey.signature(for: transcript.bytes) }
    }

    /// Runs a stage; a failure aborts the agent for the rest of the round.
    private mutating func abortingOnError<T>(_ body: (inout Self) throws(SecAggError) -> T) throws(SecAggError) -> T {
        var copy = self
        do {
            let result = try body(&copy)
            self = copy
            return result
        } catch {
            stage = .aborted
            throw error
        }
    }
}
