import Crypto
import Foundation

/// What a finished round yields: the sum of the contributors' quantised updates and nothing
/// about any single one of them.
///
/// With FedAvg this replaces the streaming accumulator's fold: the coordinator folds masked
/// vectors as they arrive (`SecAggServer.receive(_:)` of a ``MaskedInput``) and divides `sum` by
/// `contributors.count`. For example-weighted FedAvg each agent scales its update by
/// n_k / n_max (n_max a public bound) before masking and appends n_k / n_max as one more
/// coordinate, so the weighted mean is the sum divided by that last coordinate's sum.
public struct SecAggResult: Sendable, Hashable {
    /// Σ quantised updates of the contributors, modulo 2^32 (read each as `Int32`).
    public let quantisedSum: [UInt32]
    /// `quantisedSum` dequantised: the sum of the contributors' (clipped) updates, within
    /// contributors.count × ``Quantiser/step``. Divide by `contributors.count` for the mean.
    public let sum: [Float]
    /// Agents whose masked input is in the sum, sorted.
    public let contributors: [AgentID]
    /// Agents that shared keys but sent no masked input, whose pairwise masks were removed.
    public let dropped: [AgentID]
}

/// The coordinator's side of a SecAgg+ round: a value-type state machine fed the agents'
/// messages one at a time, and closed stage by stage (at quorum or deadline — the caller's
/// choice) with a `close…` call that returns what to relay to each agent.
///
/// It never holds an agent's update in the clear: shares arrive encrypted to their recipients,
/// masked inputs are folded into one running sum modulo 2^32 as they arrive (memory is one
/// model, whatever the number of agents), and only the sum is unmasked.
///
/// A `receive` that throws rejects that one message (the agent counts as silent) and leaves
/// the round as it was; a `close…` or ``finish()`` that finds fewer than t agents (or shares)
/// left moves the round to `.aborted` and throws ``SecAggError/belowThreshold(stage:survivors:threshold:)``
/// or ``SecAggError/insufficientShares(owner:secret:available:threshold:)``.
public struct SecAggServer: Sendable {
    public let configuration: SecAggConfiguration
    public private(set) var stage: SecAggStage = .advertiseKeys

    /// U1: advertisements by position.
    private var advertisements: [Int: KeyAdvertisement] = [:]
    /// Encrypted shares waiting to be relayed, by sender.
    private var pendingShares: [Int: [EncryptedShare]] = [:]
    /// U2: agents that distributed shares.
    private var sharers: Set<Int> = []
    /// Σ masked inputs received so far, modulo 2^32.
    private var maskedSum: [UInt32] = []
    /// U3: agents whose masked input is in `maskedSum`.
    private var contributors: Set<Int> = []
    private var survivorList: [AgentID] = []
    /// U4: consistency signatures by signer.
    private var consistencySignatures: [Int: ConsistencySignature] = [:]
    /// U5: agents that answered the unmasking request.
    private var responders: Set<Int> = []
    /// Revealed shares by owner: seed shares for contributors, key shares for the dropped.
    private var revealed: [Int: [ShamirShare]] = [:]

    public init(configuration: SecAggConfiguration) {
        self.configuration = configuration
    }

    private var session: SessionID { configuration.session }
    private var threshold: Int { configuration.threshold }

    // MARK: Stage 1

    public mutating func receive(_ advertisement: KeyAdvertisement) throws(SecAggError) {
        try expect(.advertiseKeys)
        let sender = try configuration.position(of: advertisement.sender)
        guard advertisement.session == session else { throw .sessionMismatch(sender: advertisement.sender, stage: .advertiseKeys) }
        guard advertisements[sender] == nil else { throw .duplicateMessage(sender: advertisement.sender, stage: .advertiseKeys) }
        try configuration.verify(advertisement.signature, of: advertisement.signedContent, by: sender, stage: .advertiseKeys)
        guard (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: advertisement.encryptionKey)) != nil,
              (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: advertisement.maskingKey)) != nil,
              advertisement.seedCommitment.count == SHA256.byteCount else {
            throw .malformedMessage(sender: advertisement.sender, stage: .advertiseKeys, reason: "keys or commitment have the wrong size")
        }
        advertisements[sender] = advertisement
    }

    /// Ends key advertisement: each advertiser gets its advertising neighbours' keys.
    public mutating func closeAdvertisement() throws(SecAggError) -> [AgentID: KeyRoster] {
        try expect(.advertiseKeys)
        try require(advertisements.count, at: .advertiseKeys)
        stage = .shareKeys
        return Dictionary(uniqueKeysWithValues: advertisements.keys.map { agent in
            let id = configuration.id(at: agent)
            let neighbours = configuration.graph.neighbours[agent].compactMap { advertisements[$0] }
            return (id, KeyRoster(session: session, recipient: id, advertisements: neighbours))
        })
    }

    // MARK: Stage 2

    public mutating func receive(_ bundle: ShareBundle) throws(SecAggError) {
        try expect(.shareKeys)
        let sender = try configuration.position(of: bundle.sender)
        guard advertisements[sender] != nil else { throw .unexpectedSender(bundle.sender, stage: .shareKeys) }
        guard bundle.session == session else { throw .sessionMismatch(sender: bundle.sender, stage: .shareKeys) }
        guard !sharers.contains(sender) else { throw .duplicateMessage(sender: bundle.sender, stage: .shareKeys) }
        let expected = Set(configuration.graph.neighbours[sender].filter { advertisements[$0] != nil })
        var seen: Set<Int> = []
        for share in bundle.shares {
            guard share.sender == bundle.sender else {
                throw .malformedMessage(sender: bundle.sender, stage: .shareKeys, reason: "bundle carries a share sent by \(share.sender)")
            }
            guard share.session == session else { throw .sessionMismatch(sender: bundle.sender, stage: .shareKeys) }
            let recipient = try configuration.position(of: share.recipient)
            guard expected.contains(recipient), seen.insert(recipient).inserted else {
                throw .malformedMessage(sender: bundle.sender, stage: .shareKeys, reason: "unexpected or repeated share for \(share.recipient)")
            }
            try configuration.verify(share.signature, of: share.signedContent, by: sender, stage: .shareKeys)
        }
        guard seen == expected else {
            let missing = expected.subtracting(seen).sorted().map { configuration.id(at: $0).rawValue }
            throw .malformedMessage(sender: bundle.sender, stage: .shareKeys, reason: "no share for \(missing.joined(separator: ", "))")
        }
        pendingShares[sender] = bundle.shares
        sharers.insert(sender)
    }

    /// Ends share distribution: each sharer gets the shares addressed to it by other sharers.
    public mutating func closeSharing() throws(SecAggError) -> [AgentID: ShareDelivery] {
        try expect(.shareKeys)
        try require(sharers.count, at: .shareKeys)
        var inbox: [Int: [EncryptedShare]] = [:]
        for sender in sharers.sorted() {
            for share in pendingShares[sender] ?? [] {
                let recipient = try configuration.position(of: share.recipient)
                if sharers.contains(recipient) { inbox[recipient, default: []].append(share) }
            }
        }
        pendingShares = [:]
        maskedSum = [UInt32](repeating: 0, count: configuration.vectorLength)
        stage = .maskedInput
        return Dictionary(uniqueKeysWithValues: sharers.map { agent in
            let id = configuration.id(at: agent)
            return (id, ShareDelivery(session: session, recipient: id, shares: inbox[agent] ?? []))
        })
    }

    // MARK: Stage 3

    /// Checks a masked input and folds it into the running sum; the input is not kept.
    public mutating func receive(_ input: MaskedInput) throws(SecAggError) {
        try expect(.maskedInput)
        let sender = try configuration.position(of: input.sender)
        guard sharers.contains(sender) else { throw .unexpectedSender(input.sender, stage: .maskedInput) }
        guard input.session == session else { throw .sessionMismatch(sender: input.sender, stage: .maskedInput) }
        guard !contributors.contains(sender) else { throw .duplicateMessage(sender: input.sender, stage: .maskedInput) }
        guard input.vector.count == configuration.vectorLength else {
            throw .vectorLengthMismatch(sender: input.sender, expected: configuration.vectorLength, actual: input.vector.count)
        }
        try configuration.verify(input.signature, of: input.signedContent, by: sender, stage: .maskedInput)
        input.vector.withUnsafeBufferPointer { values in
            maskedSum.withUnsafeMutableBufferPointer { sum in
                for index in 0..<sum.count { sum[index] &+= values[index] }
            }
        }
        contributors.insert(sender)
    }

    /// Ends input collection: the survivor list every agent is asked to sign.
    public mutating func closeMaskedInput() throws(SecAggError) -> ConsistencyRequest {
        try expect(.maskedInput)
        try require(contributors.count, at: .maskedInput)
        survivorList = contributors.sorted().map(configuration.id(at:))
        stage = .consistencyCheck
        return ConsistencyRequest(session: session, survivors: survivorList)
    }

    // MARK: Stage 4

    public mutating func receive(_ signature: ConsistencySignature) throws(SecAggError) {
        try expect(.consistencyCheck)
        let sender = try configuration.position(of: signature.sender)
        guard contributors.contains(sender) else { throw .unexpectedSender(signature.sender, stage: .consistencyCheck) }
        guard signature.session == session else { throw .sessionMismatch(sender: signature.sender, stage: .consistencyCheck) }
        guard consistencySignatures[sender] == nil else { throw .duplicateMessage(sender: signature.sender, stage: .consistencyCheck) }
        let content = ConsistencySignature.signedContent(session: session, sender: signature.sender, survivors: survivorList)
        try configuration.verify(signature.signature, of: content, by: sender, stage: .consistencyCheck)
        consistencySignatures[sender] = signature
    }

    /// Ends the consistency check: the unmasking request, carrying every signature received.
    public mutating func closeConsistency() throws(SecAggError) -> UnmaskingRequest {
        try expect(.consistencyCheck)
        try require(consistencySignatures.count, at: .consistencyCheck)
        stage = .unmasking
        return UnmaskingRequest(session: session, survivors: survivorList,
                                signatures: consistencySignatures.keys.sorted().map { consistencySignatures[$0]! })
    }

    // MARK: Stage 5

    public mutating func receive(_ response: UnmaskingResponse) throws(SecAggError) {
        try expect(.unmasking)
        let sender = try configuration.position(of: response.sender)
        guard consistencySignatures[sender] != nil else { throw .unexpectedSender(response.sender, stage: .unmasking) }
        guard response.session == session else { throw .sessionMismatch(sender: response.sender, stage: .unmasking) }
        guard !responders.contains(sender) else { throw .duplicateMessage(sender: response.sender, stage: .unmasking) }
        try configuration.verify(response.signature, of: response.signedContent, by: sender, stage: .unmasking)
        var owners: Set<Int> = []
        var accepted: [(Int, ShamirShare)] = []
        for revealed in response.shares {
            let owner = try configuration.position(of: revealed.owner)
            let expectedKind: SharedSecretKind = contributors.contains(owner) ? .selfMaskSeed : .maskAgreementKey
            guard sharers.contains(owner), owner == sender || configuration.graph.areNeighbours(owner, sender),
                  owners.insert(owner).inserted, revealed.secret == expectedKind,
                  revealed.share.isWellFormed, revealed.share.x == configuration.shamirPoint(of: sender) else {
                throw .malformedMessage(sender: response.sender, stage: .unmasking,
                                        reason: "share of \(revealed.owner) is unexpected, repeated, of the wrong kind or malformed")
            }
            accepted.append((owner, revealed.share))
        }
        for (owner, share) in accepted { revealed[owner, default: []].append(share) }
        responders.insert(sender)
    }

    /// Reconstructs the secrets, removes the survivors' self masks and the dropped agents'
    /// pairwise masks, and returns the sum.
    public mutating func finish() throws(SecAggError) -> SecAggResult {
        try expect(.unmasking)
        try require(responders.count, at: .unmasking)
        let selfMaskKeys = try contributors.sorted().map { owner throws(SecAggError) in
            let seed = try reconstruct(owner, .selfMaskSeed)
            let ownerID = configuration.id(at: owner)
            guard KeyDerivation.seedCommitment(seed: seed, session: session, owner: ownerID) == advertisements[owner]!.seedCommitment else {
                throw abort(.reconstructionMismatch(owner: ownerID, secret: .selfMaskSeed))
            }
            return KeyDerivation.selfMaskKey(seed: seed, session: session, owner: ownerID)
        }
        let dropped = sharers.subtracting(contributors).sorted()
        let droppedKeys = try dropped.map { owner throws(SecAggError) in
            let bytes = try reconstruct(owner, .maskAgreementKey)
            guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes),
                  key.publicKey.rawRepresentation == advertisements[owner]!.maskingKey else {
                throw abort(.reconstructionMismatch(owner: configuration.id(at: owner), secret: .maskAgreementKey))
            }
            return key
        }

        var sum = maskedSum
        for key in selfMaskKeys { try MaskExpander.apply(key: key, to: &sum, subtract: true) }
        for (owner, key) in zip(dropped, droppedKeys) {
            for neighbour in configuration.graph.neighbours[owner] where contributors.contains(neighbour) {
                let peer = try crypto { try Curve25519.KeyAgreement.PublicKey(rawRepresentation: advertisements[neighbour]!.maskingKey) }
                let pairKey = try KeyDerivation.pairwiseMaskKey(own: key, peer: peer, session: session,
                                                               between: configuration.id(at: owner), and: configuration.id(at: neighbour))
                // The surviving neighbour added the mask if it is the lower position: undo that.
                try MaskExpander.apply(key: pairKey, to: &sum, subtract: neighbour < owner)
            }
        }
        maskedSum = []
        revealed = [:]
        stage = .finished
        return SecAggResult(quantisedSum: sum, sum: configuration.quantiser.dequantise(sum),
                            contributors: survivorList, dropped: dropped.map(configuration.id(at:)))
    }

    // MARK: Helpers

    private func expect(_ expected: SecAggStage) throws(SecAggError) {
        guard stage == expected else { throw .wrongStage(expected: expected, actual: stage) }
    }

    private mutating func require(_ survivors: Int, at stage: SecAggStage) throws(SecAggError) {
        guard survivors >= threshold else { throw abort(.belowThreshold(stage: stage, survivors: survivors, threshold: threshold)) }
    }

    private mutating func reconstruct(_ owner: Int, _ secret: SharedSecretKind) throws(SecAggError) -> [UInt8] {
        let shares = revealed[owner] ?? []
        let ownerID = configuration.id(at: owner)
        guard shares.count >= threshold else {
            throw abort(.insufficientShares(owner: ownerID, secret: secret, available: shares.count, threshold: threshold))
        }
        guard let value = ShamirSecretSharing.reconstruct(shares, threshold: threshold) else {
            throw abort(.reconstructionMismatch(owner: ownerID, secret: secret))
        }
        return value
    }

    private mutating func abort(_ error: SecAggError) -> SecAggError {
        stage = .aborted
        return error
    }
}
