import Foundation

/// The poisoning experiment: a federation of participants, some of them attackers, trained for a
/// number of rounds under each attack with plain FedAvg and with each defence, every round closed
/// by `RoundClose` (the coordinator's own code, the stateful rules' state carried as a job carries
/// it). It runs in one process, so the whole table takes seconds and is the same on every machine
/// for a seed; the service path for each rule is tested separately (DefendedJobTests).
///
/// The attacks, on each attacker's honestly trained local model w (global model g, δ = w − g):
///   sign flip       g − 4·δ  (reversed and amplified: reversed alone only slows FedAvg down)
///   scaled ×10      g + 10·δ
///   Gaussian noise  g + N(0, σ²) per weight, σ = 1 (the update carries no training at all)
///   label flip      trains on labels y ↦ (classes − 1 − y) and sends that model as it is
/// Attackers are the first `attackers` participants; FedAvg weights by examples, and every
/// participant reports its true example count.
public enum PoisoningExperiment {
    public enum Attack: String, CaseIterable, Sendable, Codable {
        case none = "no attack"
        case signFlip = "sign flip"
        case scaled = "scaled x10"
        case noise = "Gaussian noise"
        case labelFlip = "label flip"

        /// Whether the attack forges the model update itself (rather than the training data).
        public var poisonsTheModel: Bool { self == .signFlip || self == .scaled || self == .noise }
    }

    public struct Setup: Sendable {
        public var participants: [TabularDataset]
        public var test: TabularDataset
        public var attackers: Int
        public var rounds: Int
        public var training: TrainingConfiguration
        public var architecture: ModelArchitecture
        public var seed: UInt64

        public init(participants: [TabularDataset], test: TabularDataset, attackers: Int = 3, rounds: Int = 15,
                    training: TrainingConfiguration = TrainingConfiguration(epochs: 1, batchSize: 16, learningRate: 0.05, momentum: 0.9),
                    architecture: ModelArchitecture, seed: UInt64 = 1) {
            self.participants = participants; self.test = test; self.attackers = attackers; self.rounds = rounds
            self.training = training; self.architecture = architecture; self.seed = seed
        }
    }

    /// A rule as the table names it: plain FedAvg (no defence) or a defence choice.
    public struct Rule: Sendable, Codable, Equatable {
        public var label: String
        public var defence: DefenceChoice?
        public init(label: String, defence: DefenceChoice?) { self.label = label; self.defence = defence }
    }

    /// FedAvg and every defence, each set for 3 attackers among 10 participants where the rule
    /// takes the number of attackers (Bulyan cannot: it needs 4f + 3 updates, so it runs with
    /// f = 1, fewer than the attackers present, and the table shows what that costs).
    public static let standardRules: [Rule] = [
        Rule(label: "FedAvg", defence: nil),
        Rule(label: "FedMedian", defence: DefenceChoice(name: "fedmedian")),
        Rule(label: "FedTrimmedAvg (β 0.3)", defence: DefenceChoice(name: "fedtrimmedavg", hyperparameters: ["beta": 0.3])),
        Rule(label: "Krum (f 3)", defence: DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 3])),
        Rule(label: "Multi-Krum (f 3, keep 5)", defence: DefenceChoice(name: "krum", hyperparameters: ["numMaliciousClients": 3, "numClientsToKeep": 5])),
        Rule(label: "Bulyan (f 1)", defence: DefenceChoice(name: "bulyan", hyperparameters: ["numMaliciousClients": 1])),
        Rule(label: "FedQV", defence: DefenceChoice(name: "fedqv")),
        Rule(label: "Reputation", defence: DefenceChoice(name: "reputation")),
    ]

    public struct Cell: Sendable, Codable, Equatable {
        public var rule: String
        public var attack: Attack
        /// On the test set, after the last round.
        public var accuracy: Double
    }

    /// Accuracy on the test set after `setup.rounds` rounds under `attack`, closed by `rule`.
    public static func finalAccuracy(_ setup: Setup, attack: Attack, rule: Rule) throws -> Double {
        let trainer = LocalTrainer(architecture: setup.architecture)
        var strategy = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: setup.architecture.initialModel(seed: setup.seed))
        let flipped = try setup.participants.prefix(setup.attackers).map { data in
            try TabularDataset(features: data.features, featureCount: data.featureCount,
                               labels: data.labels.map { setup.architecture.classCount - 1 - $0 })
        }
        var noise = SeededGenerator(seed: setup.seed &+ 0x5eed)
        var defenceState: Data?
        for round in 1...setup.rounds {
            let global = strategy.globalModel
            var updates: [RoundClose.Update] = []
            for (index, data) in setup.participants.enumerated() {
                let attacker = index < setup.attackers && attack != .none
                var configuration = setup.training
                configuration.seed = setup.seed &+ UInt64(round * 1000 + index)
                let trainingData = attacker && attack == .labelFlip ? flipped[index] : data
                let local = try trainer.train(model: global, data: trainingData, configuration: configuration).model
                let sent: TensorCollection
                switch attacker ? attack : .none {
                case .signFlip: sent = try extrapolate(global, toward: local, by: -4)
                case .scaled: sent = try extrapolate(global, toward: local, by: 10)
                case .noise: sent = GaussianNoise.add(to: global, standardDeviation: 1, using: &noise)
                case .none, .labelFlip: sent = local
                }
                updates.append(RoundClose.Update(client: "participant-\(index)", examples: data.exampleCount) { sent })
            }
            let outcome = try RoundClose.run(&strategy, round: round, updates: updates, defence: rule.defence, defenceState: defenceState)
            defenceState = outcome.defenceState
        }
        let model = strategy.globalModel
        // A model FedAvg has driven to infinities scores as the chance it then is: nothing.
        guard model.allSatisfy({ $0.tensor.firstNonFinite() == nil }) else { return 0 }
        return try trainer.evaluate(model: model, data: setup.test).accuracy
    }

    /// Every rule under every attack; `progress` hears each cell as it is done.
    public static func table(_ setup: Setup, rules: [Rule] = standardRules, attacks: [Attack] = Attack.allCases,
                             progress: (Cell) -> Void = { _ in }) throws -> [Cell] {
        var cells: [Cell] = []
        for rule in rules {
            for attack in attacks {
                let cell = Cell(rule: rule.label, attack: attack, accuracy: try finalAccuracy(setup, attack: attack, rule: rule))
                progress(cell)
                cells.append(cell)
            }
        }
        return cells
    }

    /// A Markdown table: one row per rule, one column per attack, accuracy in percent.
    public static func markdown(_ cells: [Cell]) -> String {
        var rules: [String] = []
        for cell in cells where !rules.contains(cell.rule) { rules.append(cell.rule) }
        let attacks = Attack.allCases.filter { attack in cells.contains { $0.attack == attack } }
        var lines = ["| rule | " + attacks.map(\.rawValue).joined(separator: " | ") + " |",
                     "|---|" + attacks.map { _ in "---:" }.joined(separator: "|") + "|"]
        for rule in rules {
            let values = attacks.map { attack in
                cells.first { $0.rule == rule && $0.attack == attack }.map { String(format: "%.1f", $0.accuracy * 100) } ?? "-"
            }
            lines.append("| \(rule) | " + values.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// g + factor·(w − g), per weight.
    static func extrapolate(_ global: TensorCollection, toward local: TensorCollection, by factor: Float) throws -> TensorCollection {
        var result = TensorCollection()
        for (name, tensor) in global {
            let base = tensor.floatValues()
            guard let trained = local[name]?.floatValues(), trained.count == base.count else { throw AggregationError.missingTensor(name) }
            try result.insert(try Tensor(shape: tensor.shape, values: zip(base, trained).map { $0 + factor * ($1 - $0) }), named: name)
        }
        return result
    }
}
