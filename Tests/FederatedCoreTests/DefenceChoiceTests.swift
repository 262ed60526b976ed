import Foundation
import Testing

@testable import FederatedCore

/// Defences as jobs name them: what is refused, how many updates each needs, and that the rule
/// built from a choice is the rule asked for.
@Suite struct DefenceChoiceTests {
    @Test func unknownNamesAndHyperparametersAreRefusedWithTheReason() {
        #expect(DefenceChoice(name: "magic").problem?.contains("unknown defence 'magic'") == true)
        #expect(DefenceChoice(name: "fedmedian", hyperparameters: ["beta": 0.1]).problem?.contains("no hyperparameter 'beta'") == true)
        #expect(DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 1.5]).problem?.contains("whole number") == true)
        #expect(DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": -1]).problem?.contains("whole number") == true)
        #expect(DefenceChoice(name: "fedtrimmedavg", hyperparameters: ["beta": 0.5]).problem?.contains("below 0.5") == true)
        #expect(DefenceChoice(name: "bulyan", hyperparameters: ["numMaliciousClients": .nan]).problem?.contains("finite") == true)
        #expect(DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 1, "numClientsToKeep": 2]).problem == nil)
        #expect(throws: DefenceError.self) { _ = try DefenceChoice(name: "magic").aggregator() }
        // The stateful rules' own checks are the answer.
        #expect(DefenceChoice(name: "fedqv", hyperparameters: ["theta": 0.7]).problem?.contains("theta must be in [0, 0.5)") == true)
        #expect(DefenceChoice(name: "fedqv", hyperparameters: ["budget": 0]).problem?.contains("budget") == true)
        #expect(DefenceChoice(name: "fedqv", hyperparameters: ["maskAboveOneMinusTheta": 2]).problem?.contains("0 or 1") == true)
        #expect(DefenceChoice(name: "reputation", hyperparameters: ["kappa": 2]).problem?.contains("κ") == true)
        #expect(DefenceChoice(name: "reputation", hyperparameters: ["lambda": 3, "decay": 0.9]).problem == nil)
        #expect(throws: DefenceError.self) { _ = try DefenceChoice(name: "fedqv").aggregator(state: Data("not json".utf8)) }
    }

    /// Strategies are checked by the same code, naming themselves as strategies.
    @Test func strategiesAreCheckedTheSameWay() {
        #expect(StrategyChoice(name: "magic").problem?.hasPrefix("unknown strategy 'magic'; choose one of") == true)
        #expect(StrategyChoice(name: "fedavg", hyperparameters: ["eta": 1]).problem == "strategy fedavg has no hyperparameter 'eta'")
        #expect(StrategyChoice(name: "fedadam", hyperparameters: ["eta": .infinity]).problem == "hyperparameter eta must be finite")
        #expect(StrategyChoice(name: "fedprox").problem?.contains("needs proximalMu") == true)
        #expect(StrategyChoice(name: "fedadam", hyperparameters: ["eta": 0.01]).problem == nil)
    }

    @Test func eachRuleSaysHowManyUpdatesItNeeds() {
        #expect(DefenceChoice(name: "fedmedian").minimumUpdates == 1)
        #expect(DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 1]).minimumUpdates == 5)
        #expect(DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 0, "numClientsToKeep": 4]).minimumUpdates == 4)
        #expect(DefenceChoice(name: "bulyan", hyperparameters: ["numMaliciousClients": 1]).minimumUpdates == 7)
        #expect(DefenceChoice(name: "reputation").minimumUpdates == 3)
        #expect(DefenceChoice(name: "fedqv").minimumUpdates == 1)
    }

    @Test func theRuleBuiltIsTheOneNamed() throws {
        #expect(try DefenceChoice(name: "fedmedian").aggregator().name.hasPrefix("FedMedian"))
        #expect(try DefenceChoice(name: "fedtrimmedavg", hyperparameters: ["beta": 0.1]).aggregator().name == "FedTrimmedAvg(beta: 0.1)")
        #expect(try DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 1]).aggregator().name == "Krum(f: 1)")
        #expect(try DefenceChoice(name: "krum", hyperparameters: ["numClientsToKeep": 3]).aggregator().name == "Multi-Krum(f: 0, keep: 3)")
        #expect(try DefenceChoice(name: "bulyan", hyperparameters: ["numMaliciousClients": 1]).aggregator().name == "Bulyan(f: 1)")
        #expect(try DefenceChoice(name: "fedqv", hyperparameters: ["budget": 12, "theta": 0.1]).aggregator().name == "FedQV(B: 12.0, θ: 0.1)")
        #expect(try DefenceChoice(name: "reputation", hyperparameters: ["lambda": 3]).aggregator().name == "Reputation(λ: 3.0)")
    }

    /// FedQV's credits and the reputation rule's evidence go out of one round close and into
    /// the next as JSON: three rounds through `RoundClose` give exactly what one rule kept in
    /// memory gives, and the stateless rules hand back nothing.
    @Test func statefulRulesCarryTheirStateFromRoundToRound() throws {
        for choice in [DefenceChoice(name: "fedqv", hyperparameters: ["budget": 5, "theta": 0.2]), DefenceChoice(name: "reputation")] {
            var closed = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: DefenceBehaviourTests.global)
            var state: Data?
            var kept = try choice.aggregator()
            for number in 1...3 {
                let round = try DefenceBehaviourTests.round(seed: UInt64(10 + number), clients: 6, attack: .signFlip)
                let updates = (0..<round.count).map { index in
                    RoundClose.Update(client: round.clients[index], examples: round.examples[index]) { round.update(index) }
                }
                // The rule kept in memory sees the same round against the same global model.
                var mirror = RoundUpdates(globalModel: closed.globalModel, expectedClients: round.count)
                for index in 0..<round.count { try mirror.append(client: round.clients[index], update: round.update(index), examples: round.examples[index]) }
                let outcome = try RoundClose.run(&closed, round: number, updates: updates, defence: choice, defenceState: state)
                let direct = try kept.aggregate(mirror)
                #expect(outcome.verdicts == direct.verdicts, "\(choice.name), round \(number)")
                state = try #require(outcome.defenceState)
                #expect(state == (try (kept as! any StatefulAggregator).encodedState()))
            }
            let text = String(decoding: try #require(state), as: UTF8.self)
            #expect(text.contains("\"completedRounds\":3"), "\(choice.name): \(text)")
        }
        var strategy = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: DefenceBehaviourTests.global)
        let round = try DefenceBehaviourTests.round(seed: 1, clients: 6, attack: .signFlip)
        let updates = (0..<round.count).map { index in RoundClose.Update(client: round.clients[index], examples: round.examples[index]) { round.update(index) } }
        #expect(try RoundClose.run(&strategy, round: 1, updates: updates, defence: DefenceChoice(name: "fedmedian")).defenceState == nil)
    }

    /// Through the choice, Krum keeps an honest update and excludes a ×10-scaled one.
    @Test func krumFromAChoiceExcludesAScaledUpdate() throws {
        let round = try DefenceBehaviourTests.round(seed: 3, clients: 6, attack: .scaleBy10)
        var rule = try DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 1]).aggregator()
        let defended = try rule.aggregate(round)
        #expect(defended.verdicts[0].decision == .excluded, "\(defended.verdicts[0])")
        #expect(defended.verdicts.filter { $0.decision == .kept }.count == 1)
    }

    /// The round close both the coordinator and `cumulus aggregate` run: without a defence it is
    /// the strategy's own fold; with Krum, FedAvg's new model is exactly Krum's pick.
    @Test func roundCloseIsTheFoldWithoutADefenceAndTheRulesModelWithOne() throws {
        let round = try DefenceBehaviourTests.round(seed: 4, clients: 6, attack: .scaleBy10)
        let updates = (0..<round.count).map { index in
            RoundClose.Update(client: round.clients[index], examples: round.examples[index]) { round.update(index) }
        }
        var plain = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: DefenceBehaviourTests.global)
        var manual = plain
        var accumulator = manual.makeAccumulator()
        for index in 0..<round.count { try accumulator.fold(round.update(index), examples: round.examples[index]) }
        let expected = try manual.finishRound(1, accumulator: accumulator)
        let folded = try RoundClose.run(&plain, round: 1, updates: updates, defence: nil)
        #expect(folded.verdicts == nil)
        #expect(folded.model == expected)

        var defended = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: DefenceBehaviourTests.global)
        let outcome = try RoundClose.run(&defended, round: 1, updates: updates, defence: DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 1]))
        let kept = try #require(outcome.verdicts?.firstIndex { $0.decision == .kept })
        #expect(outcome.verdicts?[0].decision == .excluded)
        #expect(outcome.rule == "Krum(f: 1)")
        let pick = round.update(kept)
        for name in pick.names {
            let difference = zip(outcome.model[name]!.floatValues(), pick[name]!.floatValues()).map { abs($0 - $1) }.max() ?? 0
            #expect(difference < 1e-6, "\(name): \(difference)")
        }
        #expect(defended.nextRound == 2)
    }
}
