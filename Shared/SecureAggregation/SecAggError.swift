/// The stages of one SecAgg+ round, in order. A message belongs to exactly one stage, and the
/// stage is part of everything that is signed.
public enum SecAggStage: String, Codable, Sendable, Hashable, CaseIterable {
    case advertiseKeys
    case shareKeys
    case maskedInput
    case consistencyCheck
    case unmasking
    case finished
    case aborted
}

/// Which of an agent's two shared secrets a share belongs to.
public enum SharedSecretKind: String, Codable, Sendable, Hashable {
    /// The seed of the agent's self mask, revealed when the agent survived.
    case selfMaskSeed
    /// The agent's mask-agreement X25519 secret key, revealed when the agent dropped.
    case maskAgreementKey
}

/// Every way a round can fail, with enough context to act on.
public enum SecAggError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)
    /// An identifier that is not in the round's roster.
    case unknownAgent(AgentID)
    /// A stage function was called out of order (or after the round aborted or finished).
    case wrongStage(expected: SecAggStage, actual: SecAggStage)
    /// A message made for another round or configuration (e.g. replayed from an earlier round).
    case sessionMismatch(sender: AgentID, stage: SecAggStage)
    /// A signature that does not verify under the sender's registered Ed25519 key.
    case invalidSignature(sender: AgentID, stage: SecAggStage)
    /// A second message from the same sender in the same stage (a replay or a retry).
    case duplicateMessage(sender: AgentID, stage: SecAggStage)
    /// A sender that may not speak at this stage (dropped earlier, not a neighbour, ...).
    case unexpectedSender(AgentID, stage: SecAggStage)
    /// A message addressed to another agent.
    case misaddressed(sender: AgentID, recipient: AgentID, stage: SecAggStage)
    /// An encrypted share whose authentication tag does not verify: tampered in transit.
    case shareDecryptionFailed(sender: AgentID, recipient: AgentID)
    /// A message whose content is structurally wrong.
    case malformedMessage(sender: AgentID, stage: SecAggStage, reason: String)
    case vectorLengthMismatch(sender: AgentID, expected: Int, actual: Int)
    /// A NaN or infinite value in the update to quantise.
    case nonFiniteUpdate(index: Int)
    /// Fewer than `threshold` agents left at `stage`: the round cannot finish.
    case belowThreshold(stage: SecAggStage, survivors: Int, threshold: Int)
    /// Fewer than `threshold` holders revealed shares of `owner`'s secret.
    case insufficientShares(owner: AgentID, secret: SharedSecretKind, available: Int, threshold: Int)
    /// Shares that reconstruct a value other than the one the owner committed to.
    case reconstructionMismatch(owner: AgentID, secret: SharedSecretKind)
    /// The unmasking request names another survivor set than the one this agent signed.
    case survivorSetMismatch
    /// A failure inside swift-crypto that valid inputs cannot cause.
    case cryptoFailure(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid secure-aggregation configuration: \(reason)"
        case .unknownAgent(let id): "agent \(id) is not in this round's roster"
        case .wrongStage(let expected, let actual): "expected stage \(expected.rawValue) but the round is at \(actual.rawValue)"
        case .sessionMismatch(let sender, let stage): "\(stage.rawValue) message from \(sender) belongs to another round (replayed?)"
        case .invalidSignature(let sender, let stage): "\(stage.rawValue) message from \(sender) has an invalid signature"
        case .duplicateMessage(let sender, let stage): "second \(stage.rawValue) message from \(sender) (replayed?)"
        case .unexpectedSender(let sender, let stage): "\(sender) may not send a \(stage.rawValue) message now"
        case .misaddressed(let sender, let recipient, let stage): "\(stage.rawValue) message from \(sender) is addressed to \(recipient)"
        case .shareDecryptionFailed(let sender, let recipient): "share from \(sender) to \(recipient) fails authentication (tampered)"
        case .malformedMessage(let sender, let stage, let reason): "malformed \(stage.rawValue) message from \(sender): \(reason)"
        case .vectorLengthMismatch(let sender, let expected, let actual): "vector from \(sender) has \(actual) values, expected \(expected)"
        case .nonFiniteUpdate(let index): "update value at index \(index) is not finite"
        case .belowThreshold(let stage, let survivors, let threshold):
            "round aborted at \(stage.rawValue): \(survivors) agents left, threshold is \(threshold)"
        case .insufficientShares(let owner, let secret, let available, let threshold):
            "round aborted: \(available) shares of \(owner)'s \(secret.rawValue), threshold is \(threshold)"
        case .reconstructionMismatch(let owner, let secret): "shares of \(owner)'s \(secret.rawValue) do not match its commitment"
        case .survivorSetMismatch: "unmasking request names a survivor set other than the one signed"
        case .cryptoFailure(let reason): "cryptographic primitive failed: \(reason)"
        }
    }
}

/// Runs a swift-crypto call whose failure valid inputs cannot cause, as a typed error.
func crypto<T>(_ body: () throws -> T) throws(SecAggError) -> T {
    do { return try body() } catch { throw .cryptoFailure(String(describing: error)) }
}
