import Crypto
import Foundation

/// The audit log's tamper evidence: each entry's hash covers its own fields and the previous
/// entry's hash, so changing, removing or reordering any entry breaks every hash after it.
public enum AuditChain {
    public struct Entry: Sendable, Equatable {
        public var sequence: Int64
        public var at: Date
        public var actor: String
        public var action: String
        public var target: String
        public var outcome: String
        public var organisationID: UUID?
        public var federationID: UUID?
        /// Canonical JSON (sorted keys) of the details.
        public var details: String
        public var previousHash: [UInt8]
        public var hash: [UInt8]

        public init(sequence: Int64, at: Date, actor: String, action: String, target: String, outcome: String,
                    organisationID: UUID?, federationID: UUID?, details: String, previousHash: [UInt8], hash: [UInt8]) {
            self.sequence = sequence
            self.at = at
            self.actor = actor
            self.action = action
            self.target = target
            self.outcome = outcome
            self.organisationID = organisationID
            self.federationID = federationID
            self.details = details
            self.previousHash = previousHash
            self.hash = hash
        }
    }

    /// The hash of the entry before the first one.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// SHA-256 over the previous hash and a length-prefixed encoding of every field, so no two
    /// different entries can encode to the same bytes.
    public static func hash(of entry: Entry) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: entry.previousHash)
        let milliseconds = Int64((entry.at.timeIntervalSince1970 * 1000).rounded())
        for field in [
            String(entry.sequence), String(milliseconds), entry.actor, entry.action, entry.target, entry.outcome,
            entry.organisationID?.uuidString.lowercased() ?? "", entry.federationID?.uuidString.lowercased() ?? "", entry.details,
        ] {
            let bytes = Array(field.utf8)
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
        }
        return Array(hasher.finalize())
    }

    public enum Break: Sendable, Equatable {
        case previousHashMismatch(sequence: Int64)
        case hashMismatch(sequence: Int64)
    }

    /// Walks `entries` (in sequence order, starting after `previousHash`) and returns the first
    /// broken entry, or nil when the chain holds.
    public static func firstBreak(in entries: [Entry], after previousHash: [UInt8] = genesis) -> Break? {
        var expectedPrevious = previousHash
        for entry in entries {
            guard entry.previousHash == expectedPrevious else { return .previousHashMismatch(sequence: entry.sequence) }
            guard hash(of: entry) == entry.hash else { return .hashMismatch(sequence: entry.sequence) }
            expectedPrevious = entry.hash
        }
        return nil
    }
}
