import Foundation

// What travels between an agent and the coordinator when a job's round is securely aggregated,
// beyond the protocol's own messages. The routes, per round attempt, are
// `/api/v1/jobs/{job}/rounds/{round}/secure/{attempt}/{stage}` with the stage's raw value:
// GET gives what the agent needs to act at that stage, POST takes the agent's message for it.
//
//   stage             GET answers                 POST takes
//   advertiseKeys     SecAggConfiguration         KeyAdvertisement
//   shareKeys         KeyRoster                   ShareBundle
//   maskedInput       ShareDelivery               SecAggContribution
//   consistencyCheck  ConsistencyRequest          ConsistencySignature
//   unmasking         UnmaskingRequest            UnmaskingResponse
//
// GET answers 204 while the coordinator has not closed the stage before, and 410 once the agent
// can no longer take part (it missed a stage, or the attempt was aborted), saying why.

/// The answer to joining a round's secure aggregation: which attempt of the round it is (an
/// aborted attempt is followed by a fresh one, with fresh tasks).
public struct SecAggJoined: Codable, Sendable, Hashable {
    public var attempt: Int
    public init(attempt: Int) { self.attempt = attempt }
}

/// Stage 3 as the agent posts it: the masked input, and the example count and training loss the
/// round reports in the clear (as plain FedAvg does), which weight the sum.
public struct SecAggContribution: Codable, Sendable, Hashable {
    public var input: MaskedInput
    public var examples: Int
    public var trainLoss: Double?
    public init(input: MaskedInput, examples: Int, trainLoss: Double?) {
        self.input = input; self.examples = examples; self.trainLoss = trainLoss
    }
}

/// What the coordinator answers to an accepted POST.
public struct SecAggReceipt: Codable, Sendable, Hashable {
    public var stage: SecAggStage
    public var attempt: Int
    public init(stage: SecAggStage, attempt: Int) { self.stage = stage; self.attempt = attempt }
}

extension SecAggStage {
    /// The stages an agent posts to, in order.
    public static let agentStages: [SecAggStage] = [.advertiseKeys, .shareKeys, .maskedInput, .consistencyCheck, .unmasking]
}

// Checks the coordinator can make the moment a message arrives, before the round's state is
// consulted: the message is for this session, comes from the authenticated agent, and carries
// that agent's signature. (What depends on other agents' messages is checked by SecAggServer.)
extension SecAggConfiguration {
    public func authenticate(_ advertisement: KeyAdvertisement, from agent: AgentID) throws(SecAggError) {
        try authenticate(sender: advertisement.sender, session: advertisement.session, from: agent, stage: .advertiseKeys)
        try verify(advertisement.signature, of: advertisement.signedContent, by: position(of: agent), stage: .advertiseKeys)
    }

    public func authenticate(_ bundle: ShareBundle, from agent: AgentID) throws(SecAggError) {
        try authenticate(sender: bundle.sender, session: bundle.session, from: agent, stage: .shareKeys)
        for share in bundle.shares {
            try authenticate(sender: share.sender, session: share.session, from: agent, stage: .shareKeys)
            try verify(share.signature, of: share.signedContent, by: position(of: agent), stage: .shareKeys)
        }
    }

    public func authenticate(_ input: MaskedInput, from agent: AgentID) throws(SecAggError) {
        try authenticate(sender: input.sender, session: input.session, from: agent, stage: .maskedInput)
        guard input.vector.count == vectorLength else {
            throw .vectorLengthMismatch(sender: agent, expected: vectorLength, actual: input.vector.count)
        }
        try verify(input.signature, of: input.signedContent, by: position(of: agent), stage: .maskedInput)
    }

    /// The signature is over the survivor list, which only the round knows: SecAggServer checks it.
    public func authenticate(_ signature: ConsistencySignature, from agent: AgentID) throws(SecAggError) {
        try authenticate(sender: signature.sender, session: signature.session, from: agent, stage: .consistencyCheck)
    }

    public func authenticate(_ response: UnmaskingResponse, from agent: AgentID) throws(SecAggError) {
        try authenticate(sender: response.sender, session: response.session, from: agent, stage: .unmasking)
        try verify(response.signature, of: response.signedContent, by: position(of: agent), stage: .unmasking)
    }

    private func authenticate(sender: AgentID, session: SessionID, from agent: AgentID, stage: SecAggStage) throws(SecAggError) {
        _ = try position(of: agent)
        guard sender == agent else { throw .malformedMessage(sender: agent, stage: stage, reason: "the message names \(sender) as its sender") }
        guard session == self.session else { throw .sessionMismatch(sender: agent, stage: stage) }
    }

    /// The smallest threshold this roster allows for `fraction` of it: ⌈fraction × n⌉, raised to
    /// more than half of n and at least 2 (see the type's documentation).
    public static func threshold(fraction: Double, participants: Int) -> Int {
        let wanted = Int((fraction * Double(participants)).rounded(.up))
        return min(participants, max(2, participants / 2 + 1, wanted))
    }
}
