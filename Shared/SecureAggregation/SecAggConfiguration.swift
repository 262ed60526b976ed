import Crypto
import Foundation

/// One agent invited to a round, with its long-term Ed25519 public key (registered at
/// enrolment): the key every message of that agent must verify under.
public struct SecAggParticipant: Codable, Sendable, Hashable {
    public var id: AgentID
    /// Raw Ed25519 public key, 32 bytes.
    public var signingKey: Data

    public init(id: AgentID, signingKey: Data) {
        self.id = id
        self.signingKey = signingKey
    }

    public init(id: AgentID, signingKey: Curve25519.Signing.PublicKey) {
        self.init(id: id, signingKey: signingKey.rawRepresentation)
    }
}

/// Everything the agents and the coordinator must agree on before a round starts. Its hash is
/// the round's ``SessionID``.
///
/// The threshold t applies to every neighbourhood (an agent and its neighbours, the holders of
/// its shares). It must exceed half the smallest neighbourhood, so two disjoint groups of
/// holders can never both reach it; against an actively malicious coordinator Bonawitz et al.
/// recommend t > 2/3 of it. A round survives any dropouts that leave t holders per neighbourhood
/// (with the complete graph: up to n − t dropouts).
public struct SecAggConfiguration: Codable, Sendable, Hashable {
    public let roundID: String
    /// The roster, sorted by id; a participant's position is its index in every graph and its
    /// Shamir x-coordinate is position + 1.
    public let participants: [SecAggParticipant]
    public let threshold: Int
    public let graphKind: NeighbourGraphKind
    public let vectorLength: Int
    public let clippingBound: Float
    public let rounding: RoundingMode

    public let session: SessionID
    public let graph: NeighbourGraph
    public let quantiser: Quantiser
    private let positions: [AgentID: Int]

    public init(roundID: String, participants: [SecAggParticipant], threshold: Int, graph: NeighbourGraphKind = .complete,
                vectorLength: Int, clippingBound: Float, rounding: RoundingMode = .stochastic) throws(SecAggError) {
        let roster = participants.sorted { $0.id < $1.id }
        guard roster.count >= 2 else { throw .invalidConfiguration("a round needs at least two participants, got \(roster.count)") }
        guard Set(roster.map(\.id)).count == roster.count else { throw .invalidConfiguration("participant ids repeat") }
        for participant in roster {
            guard (try? Curve25519.Signing.PublicKey(rawRepresentation: participant.signingKey)) != nil else {
                throw .invalidConfiguration("participant \(participant.id) has no valid Ed25519 public key")
            }
        }
        if case .randomRing(let degree, _) = graph, degree < 1 {
            throw .invalidConfiguration("neighbour degree must be at least 1, got \(degree)")
        }
        let neighbourGraph = NeighbourGraph(kind: graph, count: roster.count)
        let neighbourhood = neighbourGraph.smallestNeighbourhood
        guard threshold >= 2, threshold <= neighbourhood, 2 * threshold > neighbourhood else {
            throw .invalidConfiguration("threshold must be in \(neighbourhood / 2 + 1)...\(neighbourhood) (more than half of the smallest neighbourhood, \(neighbourhood), and at least 2), got \(threshold)")
        }
        guard vectorLength >= 1 else { throw .invalidConfiguration("vector length must be positive, got \(vectorLength)") }
        guard clippingBound.isFinite, clippingBound > 0 else {
            throw .invalidConfiguration("clipping bound must be positive and finite, got \(clippingBound)")
        }
        self.roundID = roundID
        self.participants = roster
        self.threshold = threshold
        self.graphKind = graph
        self.vectorLength = vectorLength
        self.clippingBound = clippingBound
        self.rounding = rounding
        self.graph = neighbourGraph
        self.quantiser = Quantiser(clippingBound: clippingBound, rounding: rounding, maxContributors: roster.count)
        self.positions = Dictionary(uniqueKeysWithValues: roster.enumerated().map { ($1.id, $0) })

        var transcript = Transcript("cumulus.secagg.v1.session")
        transcript.append(roundID)
        transcript.append(UInt64(threshold))
        switch graph {
        case .complete:
            transcript.append("complete")
        case .randomRing(let degree, let seed):
            transcript.append("random-ring")
            transcript.append(UInt64(degree))
            transcript.append(seed)
        }
        transcript.append(UInt64(vectorLength))
        transcript.append(UInt64(clippingBound.bitPattern))
        transcript.append(rounding.rawValue)
        transcript.append(UInt64(roster.count))
        for participant in roster {
            transcript.append(participant.id)
            transcript.append(participant.signingKey)
        }
        self.session = SessionID(bytes: Data(SHA256.hash(data: transcript.bytes)))
    }

    /// The roster position of `id`.
    public func position(of id: AgentID) throws(SecAggError) -> Int {
        guard let position = positions[id] else { throw .unknownAgent(id) }
        return position
    }

    func id(at position: Int) -> AgentID { participants[position].id }

    /// The Shamir x-coordinate of the agent at `position`.
    func shamirPoint(of position: Int) -> UInt64 { UInt64(position + 1) }

    func verify(_ signature: Data, of transcript: Transcript, by position: Int, stage: SecAggStage) throws(SecAggError) {
        let sender = participants[position]
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: sender.signingKey),
              key.isValidSignature(signature, for: transcript.bytes) else {
            throw .invalidSignature(sender: sender.id, stage: stage)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case roundID, participants, threshold, graphKind, vectorLength, clippingBound, rounding
    }

    /// Decoding re-validates and recomputes the session, graph and quantiser.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(roundID: container.decode(String.self, forKey: .roundID),
                      participants: container.decode([SecAggParticipant].self, forKey: .participants),
                      threshold: container.decode(Int.self, forKey: .threshold),
                      graph: container.decode(NeighbourGraphKind.self, forKey: .graphKind),
                      vectorLength: container.decode(Int.self, forKey: .vectorLength),
                      clippingBound: container.decode(Float.self, forKey: .clippingBound),
                      rounding: container.decode(RoundingMode.self, forKey: .rounding))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(roundID, forKey: .roundID)
        try container.encode(participants, forKey: .participants)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(graphKind, forKey: .graphKind)
        try container.encode(vectorLength, forKey: .vectorLength)
        try container.encode(clippingBound, forKey: .clippingBound)
        try container.encode(rounding, forKey: .rounding)
    }
}
