import Foundation
import Testing

@testable import AssignmentCore
import CumulusAPI

@Suite struct AssignmentTests {
    let organisation = UUID()
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let requirement = TaskRequirement(minimumVCPUs: 2, minimumMemoryGB: 4, minimumFreeDiskGB: 10, dataset: "digits",
                                      maximumCPUUtilisation: 0.8, maximumMemoryUtilisation: 0.8, heartbeatFreshnessSeconds: 30)

    func healthy(_ id: UUID = UUID()) -> NodeSnapshot {
        NodeSnapshot(id: id, organisation: organisation, status: .active, lastHeartbeat: now.addingTimeInterval(-5), vcpus: 4, memoryGB: 8,
                     freeDiskGB: 50, cpuUtilisation: 0.2, memoryUtilisation: 0.3, datasets: ["digits"])
    }

    @Test func everyReasonARefusedNodeHasIsRecorded() {
        var node = healthy()
        node.organisation = UUID()
        node.status = .draining
        node.lastHeartbeat = now.addingTimeInterval(-120)
        node.vcpus = 1
        node.memoryGB = 2
        node.freeDiskGB = 3
        node.datasets = []
        node.cpuUtilisation = 0.95
        node.memoryUtilisation = 0.99
        let verdict = Assignment.verdict(node, for: requirement, organisation: organisation, now: now, alreadyTried: true)
        #expect(verdict.reasons == [
            .otherOrganisation, .status(.draining), .staleHeartbeat(secondsAgo: 120, limit: 30), .tooFewVCPUs(has: 1, needs: 2),
            .tooLittleMemory(hasGB: 2, needsGB: 4), .tooLittleDisk(freeGB: 3, needsGB: 10), .missingDataset("digits"),
            .cpuBusy(utilisation: 0.95, limit: 0.8), .memoryBusy(utilisation: 0.99, limit: 0.8), .alreadyTried,
        ])
        #expect(verdict.reasons.map(\.description).contains("has 2 GB memory, needs 4 GB"))
        #expect(Assignment.verdict(healthy(), for: requirement, organisation: organisation, now: now).eligible)
    }

    @Test func workGoesRoundInCircularOrderAndContinuesWhereItLeftOff() {
        let nodes = (0..<5).map { _ in healthy() }
        let order = nodes.map(\.id).sorted { $0.uuidString < $1.uuidString }
        var cursor: UUID?
        var chosen: [UUID] = []
        for _ in 0..<10 {
            let decision = Assignment.decide(nodes: nodes.shuffled(), requirement: requirement, organisation: organisation, now: now, cursor: cursor)
            cursor = decision.chosen
            chosen.append(decision.chosen!)
        }
        #expect(chosen == order + order, "each node in turn, twice, whatever order the nodes came in")
    }

    @Test func ineligibleNodesAreSkippedAndRetriesMoveOn() {
        var nodes = (0..<4).map { _ in healthy() }.sorted { $0.id.uuidString < $1.id.uuidString }
        nodes[1].status = .inactive
        let first = Assignment.decide(nodes: nodes, requirement: requirement, organisation: organisation, now: now, cursor: nodes[0].id)
        #expect(first.chosen == nodes[2].id, "the inactive node is skipped")
        #expect(first.verdicts.first { $0.node == nodes[1].id }?.reasons == [.status(.inactive)])
        let retry = Assignment.decide(nodes: nodes, requirement: requirement, organisation: organisation, now: now, cursor: nodes[0].id, tried: [nodes[2].id])
        #expect(retry.chosen == nodes[3].id, "the node that failed is not chosen again for the same task")
        let exhausted = Assignment.decide(nodes: nodes, requirement: requirement, organisation: organisation, now: now, cursor: nil,
                                          tried: [nodes[0].id, nodes[2].id, nodes[3].id])
        #expect(exhausted.chosen == nil, "the participant is unavailable once every eligible node was tried")
    }

    @Test func anotherOrganisationsNodeIsNeverChosen() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let nodes = (0..<8).map { _ -> NodeSnapshot in
                var node = healthy()
                if Bool.random(using: &generator) { node.organisation = UUID() }
                return node
            }
            let cursor = Bool.random(using: &generator) ? nodes.randomElement(using: &generator)?.id : nil
            let decision = Assignment.decide(nodes: nodes, requirement: requirement, organisation: organisation, now: now, cursor: cursor)
            if let chosen = decision.chosen {
                #expect(nodes.first { $0.id == chosen }?.organisation == organisation)
            } else {
                #expect(nodes.allSatisfy { $0.organisation != organisation })
            }
        }
    }

    @Test func aCursorWhoseNodeIsGoneStartsWhereItWouldHaveBeen() {
        let nodes = (0..<3).map { _ in healthy() }.sorted { $0.id.uuidString < $1.id.uuidString }
        let gone = nodes[1].id
        let remaining = [nodes[0], nodes[2]]
        let decision = Assignment.decide(nodes: remaining, requirement: requirement, organisation: organisation, now: now, cursor: gone)
        #expect(decision.chosen == nodes[2].id)
    }

    @Test func orderKeysSortLikeUUIDStrings() {
        let ids = (0..<500).map { _ in UUID() }
        #expect(ids.sorted { $0.orderKey < $1.orderKey } == ids.sorted { $0.uuidString < $1.uuidString })
    }

    @Test func theFastChoiceAgreesWithTheExplainedDecision() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let nodes = (0..<Int.random(in: 0...30, using: &generator)).map { index -> NodeSnapshot in
                var node = healthy()
                if Bool.random(using: &generator) { node.cpuUtilisation = 0.95 }
                if index % 7 == 0 { node.status = .inactive }
                return node
            }
            let cursor = Bool.random(using: &generator) ? nodes.randomElement(using: &generator)?.id ?? UUID() : nil
            let tried = Set(nodes.filter { _ in Int.random(in: 0..<5, using: &generator) == 0 }.map(\.id))
            let decided = Assignment.decide(nodes: nodes, requirement: requirement, organisation: organisation, now: now, cursor: cursor, tried: tried)
            #expect(Assignment.choose(nodes: nodes, requirement: requirement, organisation: organisation, now: now, cursor: cursor, tried: tried) == decided.chosen)
            for verdict in decided.verdicts {
                let node = nodes.first { $0.id == verdict.node }!
                #expect(Assignment.isEligible(node, for: requirement, organisation: organisation, now: now) == verdict.reasons.filter { $0 != .alreadyTried }.isEmpty)
            }
        }
    }
}
