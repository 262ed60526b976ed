import CumulusAPI
import Foundation

/// Which node of a participant gets a task: filter the participant's nodes to the eligible
/// ones, then take the next one in circular order after the last node that got work, so work
/// spreads evenly and continues where it left off (the cursor is persisted by the caller).
/// Pure: no clock, no storage — both come in as arguments.
public enum Assignment {
    /// One node's verdict, with every reason it was refused.
    public struct Verdict: Sendable, Equatable {
        public var node: UUID
        public var reasons: [Ineligibility]
        public var eligible: Bool { reasons.isEmpty }
    }

    public struct Decision: Sendable, Equatable {
        /// The chosen node, or nil when no node of the participant is eligible.
        public var chosen: UUID?
        /// Every node of the participant with its verdict, in circular order.
        public var verdicts: [Verdict]
    }

    /// Why `node` may or may not run a task with `requirement` for `organisation` at `now`.
    public static func verdict(_ node: NodeSnapshot, for requirement: TaskRequirement, organisation: UUID, now: Date, alreadyTried: Bool = false) -> Verdict {
        var reasons: [Ineligibility] = []
        if node.organisation != organisation { reasons.append(.otherOrganisation) }
        if node.status != .active { reasons.append(.status(node.status)) }
        let age = now.timeIntervalSince(node.lastHeartbeat)
        if age > requirement.heartbeatFreshnessSeconds {
            reasons.append(.staleHeartbeat(secondsAgo: Int(age.rounded()), limit: Int(requirement.heartbeatFreshnessSeconds)))
        }
        if node.vcpus < requirement.minimumVCPUs { reasons.append(.tooFewVCPUs(has: node.vcpus, needs: requirement.minimumVCPUs)) }
        if node.memoryGB < requirement.minimumMemoryGB { reasons.append(.tooLittleMemory(hasGB: node.memoryGB, needsGB: requirement.minimumMemoryGB)) }
        if node.gpus < requirement.minimumGPUs { reasons.append(.tooFewGPUs(has: node.gpus, needs: requirement.minimumGPUs)) }
        if node.freeDiskGB < requirement.minimumFreeDiskGB { reasons.append(.tooLittleDisk(freeGB: node.freeDiskGB, needsGB: requirement.minimumFreeDiskGB)) }
        if let dataset = requirement.dataset, !node.datasets.contains(dataset) { reasons.append(.missingDataset(dataset)) }
        if node.cpuUtilisation > requirement.maximumCPUUtilisation {
            reasons.append(.cpuBusy(utilisation: node.cpuUtilisation, limit: requirement.maximumCPUUtilisation))
        }
        if node.memoryUtilisation > requirement.maximumMemoryUtilisation {
            reasons.append(.memoryBusy(utilisation: node.memoryUtilisation, limit: requirement.maximumMemoryUtilisation))
        }
        if alreadyTried { reasons.append(.alreadyTried) }
        return Verdict(node: node.id, reasons: reasons)
    }

    /// The decision alone, without explaining it: the first eligible node after `cursor` in the
    /// circular order of node ids, found in one pass with no sorting and no allocation (the
    /// smallest eligible id above the cursor, else the smallest eligible id). Same answer as
    /// `decide(...).chosen`; this is what runs per assignment at scale.
    public static func choose(
        nodes: [NodeSnapshot], requirement: TaskRequirement, organisation: UUID, now: Date, cursor: UUID?, tried: Set<UUID> = []
    ) -> UUID? {
        let cursorKey = cursor?.orderKey
        var after: (key: UUID.OrderKey, id: UUID)?
        var first: (key: UUID.OrderKey, id: UUID)?
        for node in nodes where isEligible(node, for: requirement, organisation: organisation, now: now) && !tried.contains(node.id) {
            let key = node.id.orderKey
            if first == nil || key < first!.key { first = (key, node.id) }
            if let cursorKey, cursorKey < key, after == nil || key < after!.key { after = (key, node.id) }
        }
        return (after ?? first)?.id
    }

    /// `verdict(...).eligible` without building the reasons.
    @inline(__always)
    public static func isEligible(_ node: NodeSnapshot, for requirement: TaskRequirement, organisation: UUID, now: Date) -> Bool {
        node.organisation == organisation && node.status == .active
            && now.timeIntervalSince(node.lastHeartbeat) <= requirement.heartbeatFreshnessSeconds
            && node.vcpus >= requirement.minimumVCPUs && node.memoryGB >= requirement.minimumMemoryGB && node.gpus >= requirement.minimumGPUs
            && node.freeDiskGB >= requirement.minimumFreeDiskGB && (requirement.dataset.map { node.datasets.contains($0) } ?? true)
            && node.cpuUtilisation <= requirement.maximumCPUUtilisation && node.memoryUtilisation <= requirement.maximumMemoryUtilisation
    }

    /// Chooses among `nodes` (a participant's nodes; others are refused as another
    /// organisation's) the first eligible node after `cursor` in the circular order of node ids.
    /// `tried` holds nodes that already failed, rejected or let a lease lapse for this task, so a
    /// retry goes to the next node. O(n) in the number of nodes.
    public static func decide(
        nodes: [NodeSnapshot], requirement: TaskRequirement, organisation: UUID, now: Date, cursor: UUID?, tried: Set<UUID> = []
    ) -> Decision {
        let ordered = nodes.sorted { $0.id.orderKey < $1.id.orderKey }
        // Start just after the cursor; a cursor whose node is gone starts where it would have been.
        let start = cursor.map { cursor in ordered.firstIndex { $0.id.orderKey > cursor.orderKey } ?? 0 } ?? 0
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(ordered.count)
        var chosen: UUID?
        for offset in 0..<ordered.count {
            let node = ordered[(start + offset) % ordered.count]
            let verdict = verdict(node, for: requirement, organisation: organisation, now: now, alreadyTried: tried.contains(node.id))
            if chosen == nil, verdict.eligible { chosen = node.id }
            verdicts.append(verdict)
        }
        return Decision(chosen: chosen, verdicts: verdicts)
    }
}

extension UUID {
    /// The id's 16 bytes as two big-endian words: ordering by it is ordering by `uuidString`,
    /// without making strings (this runs over every node of a participant for every decision).
    var orderKey: OrderKey {
        withUnsafeBytes(of: uuid) { bytes in
            OrderKey(high: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                     low: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian)
        }
    }

    struct OrderKey: Comparable {
        var high: UInt64
        var low: UInt64
        static func < (lhs: OrderKey, rhs: OrderKey) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
    }
}
