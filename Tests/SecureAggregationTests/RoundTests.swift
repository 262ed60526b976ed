import Crypto
import Foundation
import PropertyBased
import SeededRandom
import Testing

@testable import SecureAggregation

@Suite("SecAgg+ rounds: sums with dropouts, aborts below threshold")
struct RoundTests {
    /// The stages at which an agent can fall silent, as named in the issue.
    static let dropStages: [SecAggStage] = [.shareKeys, .maskedInput, .consistencyCheck, .unmasking]

    @Test("no dropouts: the unmasked sum is the plain sum within the quantisation error", arguments: [RoundingMode.nearest, .stochastic])
    func noDropouts(rounding: RoundingMode) throws {
        let fixture = try RoundFixture(agents: 6, threshold: 4, length: 300, rounding: rounding)
        let result = try fixture.run()
        #expect(result.contributors == fixture.ids)
        #expect(result.dropped.isEmpty)
        let (worst, bound) = fixture.sumError(result)
        #expect(worst <= bound)
        if rounding == .nearest {
            // Deterministic rounding: the integer sum is exactly the sum of the quantised updates.
            var generator = Xoshiro256StarStar(seed: 0)
            var expected = [UInt32](repeating: 0, count: 300)
            for id in fixture.ids {
                for (index, value) in try fixture.configuration.quantiser.quantise(fixture.updates[id]!, using: &generator).enumerated() {
                    expected[index] &+= value
                }
            }
            #expect(result.quantisedSum == expected)
        }
    }

    @Test("one and n − t dropouts at each stage still give the survivors' sum",
          arguments: dropStages, [1, 3])
    func dropouts(stage: SecAggStage, count: Int) throws {
        // n = 7, t = 4: up to three agents may drop.
        let fixture = try RoundFixture(agents: 7, threshold: 4, length: 200, seed: UInt64(count))
        let dropped = Set(fixture.ids.suffix(count).prefix(count))
        let result = try fixture.run(dropouts: [stage: dropped])
        let survivors = fixture.ids.filter { !dropped.contains($0) }
        // Agents that uploaded before dropping are still in the sum.
        let expectedContributors = [.consistencyCheck, .unmasking].contains(stage) ? fixture.ids : survivors
        #expect(result.contributors == expectedContributors)
        #expect(result.dropped == (stage == .maskedInput ? dropped.sorted() : []))
        let (worst, bound) = fixture.sumError(result)
        #expect(worst <= bound)
    }

    @Test("dropouts spread over every stage at once")
    func dropoutsAcrossStages() throws {
        let fixture = try RoundFixture(agents: 9, threshold: 5, length: 100)
        let ids = fixture.ids
        let result = try fixture.run(dropouts: [.shareKeys: [ids[0]], .maskedInput: [ids[3]], .consistencyCheck: [ids[5]], .unmasking: [ids[8]]])
        #expect(result.contributors == ids.filter { ![ids[0], ids[3]].contains($0) })
        #expect(result.dropped == [ids[3]])
        let (worst, bound) = fixture.sumError(result)
        #expect(worst <= bound)
    }

    @Test("one dropout too many aborts with the stage and the counts", arguments: [SecAggStage.advertiseKeys] + dropStages)
    func belowThreshold(stage: SecAggStage) throws {
        let fixture = try RoundFixture(agents: 6, threshold: 4, length: 16)
        let dropped = Set(fixture.ids.prefix(3))
        let error = #expect(throws: SecAggError.self) { try fixture.run(dropouts: [stage: dropped]) }
        // Before the inputs are in, the stage's own count is short; afterwards, the consistency
        // check (the first stage the survivors' count is checked again) or the unmasking is.
        let expectedStage: SecAggStage = stage == .unmasking ? .unmasking : (stage == .consistencyCheck ? .consistencyCheck : stage)
        #expect(error == .belowThreshold(stage: expectedStage, survivors: 3, threshold: 4))
    }

    @Test("an aborted server refuses to go on")
    func abortedServerStops() throws {
        let fixture = try RoundFixture(agents: 4, threshold: 3, length: 8)
        var round = try ManualRound(fixture)
        for id in fixture.ids.prefix(2) { try round.server.receive(round.clients[id]!.advertiseKeys()) }
        #expect(throws: SecAggError.belowThreshold(stage: .advertiseKeys, survivors: 2, threshold: 3)) { try round.server.closeAdvertisement() }
        #expect(round.server.stage == .aborted)
        #expect(throws: SecAggError.wrongStage(expected: .advertiseKeys, actual: .aborted)) {
            try round.server.receive(round.clients[fixture.ids[2]]!.advertiseKeys())
        }
    }

    @Test("sparse SecAgg+ graph: sum with dropouts, and the share count is per neighbourhood")
    func sparseGraph() throws {
        // 12 agents, degree 4: neighbourhoods of 5, threshold 3.
        let fixture = try RoundFixture(agents: 12, threshold: 3, graph: .randomRing(degree: 4, seed: 5), length: 50)
        let ids = fixture.ids
        let result = try fixture.run(dropouts: [.maskedInput: [ids[1]], .unmasking: [ids[6]]])
        #expect(result.dropped == [ids[1]])
        let (worst, bound) = fixture.sumError(result)
        #expect(worst <= bound)
        // Each agent handles shares for its 4 neighbours only, not for all 11 others.
        var bundleSizes: [Int] = []
        _ = try fixture.run { if case .bundle(let bundle) = $0 { bundleSizes.append(bundle.shares.count) } }
        #expect(bundleSizes == [Int](repeating: 4, count: 12))
    }

    @Test("random n, t, graph and dropouts: the sum is right exactly when every neighbourhood keeps t")
    func randomRounds() async {
        await propertyCheck(count: 40, input: Gen.uint64()) { seed in
            var generator = Xoshiro256StarStar(seed: seed)
            let agents = 3 + generator.next(below: 8)
            let graph: NeighbourGraphKind = generator.next(below: 2) == 0
                ? .complete : .randomRing(degree: 2 + generator.next(below: agents - 2), seed: generator.next())
            let neighbourhood = NeighbourGraph(kind: graph, count: agents).smallestNeighbourhood
            let threshold = neighbourhood / 2 + 1 + generator.next(below: neighbourhood - neighbourhood / 2)
            let rounding: RoundingMode = generator.next(below: 2) == 0 ? .nearest : .stochastic
            let fixture = try RoundFixture(agents: agents, threshold: threshold, graph: graph, length: 40,
                                           clip: Float(0.1 + 2 * generator.nextUnitDouble()), rounding: rounding, seed: seed)
            var dropouts: [SecAggStage: Set<AgentID>] = [:]
            for id in fixture.ids where generator.next(below: 4) == 0 {
                dropouts[([SecAggStage.advertiseKeys] + Self.dropStages)[generator.next(below: 5)], default: []].insert(id)
            }
            let outcome = Result { () throws(SecAggError) in try fixture.run(dropouts: dropouts) }
            let oracle = Self.oracle(fixture.configuration, dropouts: dropouts)
            switch (outcome, oracle) {
            case (.success(let result), .some(let contributors)):
                #expect(result.contributors == contributors)
                let (worst, bound) = fixture.sumError(result)
                #expect(worst <= bound)
            case (.failure(let error), .none):
                switch error {
                case .belowThreshold, .insufficientShares: break
                default: Issue.record("aborted with an unexpected error: \(error)")
                }
            case (.success, .none):
                Issue.record("the round finished although a neighbourhood fell below the threshold")
            case (.failure(let error), .some):
                Issue.record("the round aborted although every neighbourhood kept the threshold: \(error)")
            }
        }
    }

    /// An independent statement of when a round must finish, from the neighbour sets alone:
    /// the contributors, or nil when it must abort.
    static func oracle(_ configuration: SecAggConfiguration, dropouts: [SecAggStage: Set<AgentID>]) -> [AgentID]? {
        let t = configuration.threshold
        let graph = configuration.graph
        let all = Set(0..<configuration.participants.count)
        func silent(_ stage: SecAggStage) -> Set<Int> {
            Set((dropouts[stage] ?? []).map { try! configuration.position(of: $0) })
        }
        let advertised = all.subtracting(silent(.advertiseKeys))
        guard advertised.count >= t else { return nil }
        // An agent shares if it is still there and t holders (itself included) advertised.
        let sharers = advertised.subtracting(silent(.shareKeys)).filter { agent in
            graph.neighbours[agent].filter(advertised.contains).count + 1 >= t
        }
        guard sharers.count >= t else { return nil }
        // An agent masks if it is still there and t − 1 of its neighbours shared with it.
        let contributors = sharers.subtracting(silent(.maskedInput)).filter { agent in
            graph.neighbours[agent].filter(sharers.contains).count + 1 >= t
        }
        guard contributors.count >= t else { return nil }
        let signers = contributors.subtracting(silent(.consistencyCheck))
        guard signers.count >= t else { return nil }
        let responders = signers.subtracting(silent(.unmasking))
        guard responders.count >= t else { return nil }
        // Every sharer's secret (seed or key) needs t responding holders.
        for owner in sharers where graph.holders(of: owner).filter(responders.contains).count < t { return nil }
        return contributors.sorted().map { configuration.participants[$0].id }
    }
}
