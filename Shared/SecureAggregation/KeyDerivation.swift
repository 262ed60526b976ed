import Crypto
import Foundation

/// Every symmetric key of the protocol, each from HKDF-SHA256 with the session as salt and a
/// purpose string plus the parties' identifiers as info, so no key serves two purposes, two
/// pairs or two rounds.
enum KeyDerivation {
    /// The key of the pairwise mask between two agents: X25519 on their mask-agreement keys.
    /// Symmetric in the two agents (their identifiers enter in roster order).
    static func pairwiseMaskKey(own: Curve25519.KeyAgreement.PrivateKey, peer: Curve25519.KeyAgreement.PublicKey,
                                session: SessionID, between first: AgentID, and second: AgentID) throws(SecAggError) -> SymmetricKey {
        let secret = try crypto { try own.sharedSecretFromKeyAgreement(with: peer) }
        var info = Transcript("cumulus.secagg.v1.pairwise-mask")
        info.append(min(first, second))
        info.append(max(first, second))
        return secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: session.bytes, sharedInfo: info.bytes, outputByteCount: 32)
    }

    /// The key that encrypts the shares `sender` gives `recipient`; directional, so the two
    /// directions of a pair never share a key.
    static func shareEncryptionKey(own: Curve25519.KeyAgreement.PrivateKey, peer: Curve25519.KeyAgreement.PublicKey,
                                   session: SessionID, sender: AgentID, recipient: AgentID) throws(SecAggError) -> SymmetricKey {
        let secret = try crypto { try own.sharedSecretFromKeyAgreement(with: peer) }
        var info = Transcript("cumulus.secagg.v1.share-encryption")
        info.append(sender)
        info.append(recipient)
        return secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: session.bytes, sharedInfo: info.bytes, outputByteCount: 32)
    }

    /// The key of an agent's self mask, from its 32-byte seed.
    static func selfMaskKey(seed: [UInt8], session: SessionID, owner: AgentID) -> SymmetricKey {
        var info = Transcript("cumulus.secagg.v1.self-mask")
        info.append(owner)
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: seed), salt: session.bytes, info: info.bytes, outputByteCount: 32)
    }

    /// The public commitment to a self-mask seed, checked after reconstruction.
    static func seedCommitment(seed: [UInt8], session: SessionID, owner: AgentID) -> Data {
        var transcript = Transcript("cumulus.secagg.v1.seed-commitment")
        transcript.append(session)
        transcript.append(owner)
        transcript.append(seed)
        return Data(SHA256.hash(data: transcript.bytes))
    }

    /// Associated data of an encrypted share.
    static func shareAssociatedData(session: SessionID, sender: AgentID, recipient: AgentID) -> [UInt8] {
        var transcript = Transcript("cumulus.secagg.v1.share")
        transcript.append(session)
        transcript.append(sender)
        transcript.append(recipient)
        return transcript.bytes
    }
}
