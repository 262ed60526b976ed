import Crypto
import Foundation

// The messages of one round, stage by stage. Every message an agent originates is signed with its
// Ed25519 key over a canonical ``Transcript`` (protocol, stage, session, sender, then the
// content), which is what `signedContent` builds; messages the coordinator originates only
// carry agents' signed messages or lists whose use the agents check themselves.

/// Stage 1, agent → coordinator → neighbours: the agent's two fresh X25519 public keys and its
/// commitment to its self-mask seed.
public struct KeyAdvertisement: Codable, Sendable, Hashable {
    public var session: SessionID
    public var sender: AgentID
    /// X25519 public key for share encryption (32 bytes).
    public var encryptionKey: Data
    /// X25519 public key for pairwise-mask agreement (32 bytes).
    public var maskingKey: Data
    /// SHA-256 commitment to the self-mask seed.
    public var seedCommitment: Data
    public var signature: Data

    var signedContent: Transcript {
        var transcript = Transcript.signed(.advertiseKeys, session: session, sender: sender)
        transcript.append(encryptionKey)
        transcript.append(maskingKey)
        transcript.append(seedCommitment)
        return transcript
    }
}

/// Stage 2, coordinator → agent: the signed advertisements of the agent's neighbours that
/// advertised in time.
public struct KeyRoster: Codable, Sendable, Hashable {
    public var session: SessionID
    public var recipient: AgentID
    public var advertisements: [KeyAdvertisement]
}

/// Stage 2, one agent's shares for one neighbour: ChaCha20-Poly1305 (nonce ‖ ciphertext ‖ tag)
/// of the two Shamir shares, under a key only the two agents can derive.
public struct EncryptedShare: Codable, Sendable, Hashable {
    public var session: SessionID
    public var sender: AgentID
    public var recipient: AgentID
    public var ciphertext: Data
    public var signature: Data

    var signedContent: Transcript {
        var transcript = Transcript.signed(.shareKeys, session: session, sender: sender)
        transcript.append(recipient)
        transcript.append(ciphertext)
        return transcript
    }
}

/// Stage 2, agent → coordinator: one encrypted share per neighbour. Each share is signed on its
/// own, because the coordinator splits the bundle and each recipient sees only its share.
public struct ShareBundle: Codable, Sendable, Hashable {
    public var session: SessionID
    public var sender: AgentID
    public var shares: [EncryptedShare]
}

/// Stage 3, coordinator → agent: the shares addressed to the agent by neighbours that shared.
public struct ShareDelivery: Codable, Sendable, Hashable {
    public var session: SessionID
    public var recipient: AgentID
    public var shares: [EncryptedShare]
}

/// Stage 3, agent → coordinator: the masked, quantised update. Encoded as little-endian bytes
/// (base64 in JSON), never as a JSON array of numbers. The signature covers its SHA-256.
public struct MaskedInput: Codable, Sendable, Hashable {
    public var session: SessionID
    public var sender: AgentID
    public var vector: [UInt32]
    public var signature: Data

    public init(session: SessionID, sender: AgentID, vector: [UInt32], signature: Data) {
        self.session = session
        self.sender = sender
        self.vector = vector
        self.signature = signature
    }

    var signedContent: Transcript {
        var transcript = Transcript.signed(.maskedInput, session: session, sender: sender)
        transcript.append(UInt64(vector.count))
        transcript.append(Array(SHA256.hash(data: Self.littleEndianBytes(vector))))
        return transcript
    }

    static func littleEndianBytes(_ vector: [UInt32]) -> Data {
        #if _endian(little)
        vector.withUnsafeBytes { Data($0) }
        #else
        vector.map(\.littleEndian).withUnsafeBytes { Data($0) }
        #endif
    }

    private enum CodingKeys: String, CodingKey { case session, sender, vector, signature }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        session = try container.decode(SessionID.self, forKey: .session)
        sender = try container.decode(AgentID.self, forKey: .sender)
        signature = try container.decode(Data.self, forKey: .signature)
        let bytes = try container.decode(Data.self, forKey: .vector)
        guard bytes.count % 4 == 0 else {
            throw DecodingError.dataCorruptedError(forKey: .vector, in: container, debugDescription: "vector bytes are not whole 32-bit words")
        }
        vector = [UInt32](repeating: 0, count: bytes.count / 4)
        _ = vector.withUnsafeMutableBytes { bytes.copyBytes(to: $0) }
        #if _endian(big)
        vector = vector.map { UInt32(littleEndian: $0) }
        #endif
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(session, forKey: .session)
        try container.encode(sender, forKey: .sender)
        try container.encode(Self.littleEndianBytes(vector), forKey: .vector)
        try container.encode(signature, forKey: .signature)
    }
}

/// Stage 4, coordinator → agents: who contributed a masked input (sorted).
public struct ConsistencyRequest: Codable, Sendable, Hashable {
    public var session: SessionID
    public var survivors: [AgentID]
}

/// Stage 4, agent → coordinator: the agent's signature over the survivor list.
public struct ConsistencySignature: Codable, Sendable, Hashable {
    public var session: SessionID
    public var sender: AgentID
    public var signature: Data

    static func signedContent(session: SessionID, sender: AgentID, survivors: [AgentID]) -> Transcript {
        var transcript = Transcript.signed(.consistencyCheck, session: session, sender: sender)
        transcript.append(survivors)
        return transcript
    }
}

/// Stage 5, coordinator → agents: the survivor list with at least t agents' signatures over it.
public struct UnmaskingRequest: Codable, Sendable, Hashable {
    public var session: SessionID
    public var survivors: [AgentID]
    public var signatures: [ConsistencySignature]
}

/// One share revealed for unmasking.
public struct RevealedShare: Codable, Sendable, Hashable {
    public var owner: AgentID
    public var secret: SharedSecretKind
    public var share: ShamirShare
}

/// Stage 5, agent → coordinator: for each neighbour whose shares it holds (itself included),
/// the self-mask-seed share if that neighbour survived, else the mask-key share.
public struct UnmaskingResponse: Codable, Sendable, Hashable {
    public var session: SessionID
    public var sender: AgentID
    public var shares: [RevealedShare]
    public var signature: Data

    var signedContent: Transcript {
        var transcript = Transcript.signed(.unmasking, session: session, sender: sender)
        transcript.append(UInt64(shares.count))
        for revealed in shares {
            transcript.append(revealed.owner)
            transcript.append(revealed.secret.rawValue)
            transcript.append(revealed.share.bytes)
        }
        return transcript
    }
}
