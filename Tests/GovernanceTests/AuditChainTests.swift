import Foundation
import Testing

@testable import GovernanceService

@Suite struct AuditChainTests {
    func chain(_ count: Int) -> [AuditChain.Entry] {
        var entries: [AuditChain.Entry] = []
        var previous = AuditChain.genesis
        for index in 1...count {
            var entry = AuditChain.Entry(sequence: Int64(index), at: Date(timeIntervalSince1970: 1_700_000_000 + Double(index)), actor: "u\(index)",
                                         action: "roles:grant", target: "user:x", outcome: "success", organisationID: UUID(), federationID: nil,
                                         details: #"{"k":"v\#(index)"}"#, previousHash: previous, hash: [])
            entry.hash = AuditChain.hash(of: entry)
            previous = entry.hash
            entries.append(entry)
        }
        return entries
    }

    @Test func anIntactChainVerifies() {
        #expect(AuditChain.firstBreak(in: chain(10)) == nil)
    }

    @Test func everyKindOfTamperingIsNamedAtTheRightEntry() {
        var changed = chain(10)
        changed[4].details = #"{"k":"forged"}"#
        #expect(AuditChain.firstBreak(in: changed) == .hashMismatch(sequence: 5))

        var rehashed = chain(10)  // a forger who also recomputes the entry's own hash
        rehashed[4].actor = "someone-else"
        rehashed[4].hash = AuditChain.hash(of: rehashed[4])
        #expect(AuditChain.firstBreak(in: rehashed) == .previousHashMismatch(sequence: 6))

        var removed = chain(10)
        removed.remove(at: 3)
        #expect(AuditChain.firstBreak(in: removed) == .previousHashMismatch(sequence: 5))

        var reordered = chain(10)
        reordered.swapAt(2, 3)
        #expect(AuditChain.firstBreak(in: reordered) == .previousHashMismatch(sequence: 4))
    }

    @Test func fieldBoundariesCannotBeShifted() {
        // "ab" + "c" and "a" + "bc" must hash differently: fields are length-prefixed.
        var first = chain(1)[0]
        var second = first
        first.actor = "ab"; first.action = "c"
        second.actor = "a"; second.action = "bc"
        #expect(AuditChain.hash(of: first) != AuditChain.hash(of: second))
    }
}
