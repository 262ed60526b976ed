import SeededRandom
import PropertyBased
import Testing

@testable import FederatedCore

@Suite("local trainers")
struct LocalTrainerTests {
    /// Points labelled by a random linear rule `argmax(W·x + b)`: linearly separable by construction.
    static func separable(seed: UInt64, rows: Int, features: Int, classes: Int) -> TabularDataset {
        var generator = SeededGenerator(seed: seed)
        let rule = (0..<classes * (features + 1)).map { _ in generator.nextGaussian() }
        var values: [Float] = []
        var labels: [Int] = []
        for _ in 0..<rows {
            let x = (0..<features).map { _ in generator.nextGaussian() }
            let scores = (0..<classes).map { c in rule[c * (features + 1) + features] + (0..<features).reduce(0.0) { $0 + rule[c * (features + 1) + $1] * x[$1] } }
            labels.append(scores.indices.max { scores[$0] < scores[$1] }!)
            values.append(contentsOf: x.map { Float($0) })
        }
        return try! TabularDataset(features: values, featureCount: features, labels: labels)
    }

    /// XOR of the signs of two features: no linear model does better than chance. Points keep a
    /// margin from the axes so the classes are cleanly separable by a non-linear boundary.
    static func xor(seed: UInt64, rows: Int) -> TabularDataset {
        var generator = SeededGenerator(seed: seed)
        var rowsOut: [[Float]] = []
        var labels: [Int] = []
        while rowsOut.count < rows {
            let a = generator.nextDouble(in: -1..<1), b = generator.nextDouble(in: -1..<1)
            guard abs(a) > 0.15, abs(b) > 0.15 else { continue }
            rowsOut.append([Float(a), Float(b)])
            labels.append((a > 0) != (b > 0) ? 1 : 0)
        }
        return try! TabularDataset(rows: rowsOut, labels: labels)
    }

    @Test("analytic gradients match central finite differences", arguments: [[], [5], [6, 4]])
    func gradientCheck(hidden: [Int]) throws {
        let architecture = try ModelArchitecture(inputCount: 4, hiddenLayers: hidden, classCount: 3)
        let data = Self.separable(seed: 21, rows: 12, features: 4, classes: 3)
        let network = try DenseNetwork(architecture: architecture, model: architecture.initialModel(seed: 5))
        let global = try DenseNetwork(architecture: architecture, model: architecture.initialModel(seed: 6)).parameters
        let rows = 0..<data.exampleCount
        let (weightDecay, mu) = (0.01, 0.3)
        let analytic = network.objective(data, rows: rows, weightDecay: weightDecay, proximalMu: mu, global: global).gradient

        let step = 1e-6
        var worst = 0.0
        for index in network.parameters.indices {
            var plus = network, minus = network
            plus.parameters[index] += step
            minus.parameters[index] -= step
            let numeric = (plus.objective(data, rows: rows, weightDecay: weightDecay, proximalMu: mu, global: global).value
                - minus.objective(data, rows: rows, weightDecay: weightDecay, proximalMu: mu, global: global).value) / (2 * step)
            let error = abs(numeric - analytic[index]) / max(1e-6, abs(numeric) + abs(analytic[index]))
            worst = max(worst, error)
        }
        // Double arithmetic: central differences agree to ~1e-9; 1e-6 leaves room for ReLU kinks
        // near a perturbed unit without letting a wrong formula (errors of order 1) through.
        #expect(worst < 1e-6, "worst relative gradient error \(worst)")
    }

    @Test("logistic regression separates linearly separable data")
    func logisticRegressionLearns() throws {
        let architecture = try ModelArchitecture.logisticRegression(inputCount: 3, classCount: 3)
        let train = Self.separable(seed: 1, rows: 300, features: 3, classes: 3)
        let test = Self.separable(seed: 1, rows: 600, features: 3, classes: 3)  // same rule, more points
        let trainer = LocalTrainer(architecture: architecture)
        let initial = architecture.initialModel(seed: 9)
        let before = try trainer.evaluate(model: initial, data: train)
        let outcome = try trainer.train(model: initial, data: train, configuration: .init(epochs: 60, batchSize: 16, learningRate: 0.5, momentum: 0.9, seed: 4))
        let after = try trainer.evaluate(model: outcome.model, data: train)
        let held = try trainer.evaluate(model: outcome.model, data: test)
        #expect(outcome.examples == train.exampleCount)
        #expect(after.loss < before.loss)
        #expect(after.accuracy >= 0.97, "training accuracy \(after.accuracy)")
        #expect(held.accuracy >= 0.95, "held-out accuracy \(held.accuracy)")
        #expect(outcome.meanLoss.isFinite && outcome.meanLoss > after.loss, "the running loss includes the early, worse batches")
    }

    @Test("an MLP learns XOR, which logistic regression cannot")
    func multilayerPerceptronLearnsXor() throws {
        let data = Self.xor(seed: 2, rows: 240)
        let configuration = TrainingConfiguration(epochs: 150, batchSize: 16, learningRate: 0.2, momentum: 0.9, seed: 8)
        let mlp = try ModelArchitecture.multilayerPerceptron(inputCount: 2, hiddenLayers: [16], classCount: 2)
        let linear = try ModelArchitecture.logisticRegression(inputCount: 2, classCount: 2)
        let mlpModel = try LocalTrainer(architecture: mlp).train(model: mlp.initialModel(seed: 3), data: data, configuration: configuration).model
        let linearModel = try LocalTrainer(architecture: linear).train(model: linear.initialModel(seed: 3), data: data, configuration: configuration).model
        let mlpAccuracy = try LocalTrainer(architecture: mlp).evaluate(model: mlpModel, data: data).accuracy
        let linearAccuracy = try LocalTrainer(architecture: linear).evaluate(model: linearModel, data: data).accuracy
        #expect(mlpAccuracy >= 0.9, "MLP accuracy \(mlpAccuracy)")
        #expect(linearAccuracy <= 0.75, "logistic regression accuracy \(linearAccuracy)")
    }

    @Test("the same seed gives the same bits; another seed another model")
    func determinism() async throws {
        let architecture = try ModelArchitecture.multilayerPerceptron(inputCount: 3, hiddenLayers: [4], classCount: 2)
        let data = Self.separable(seed: 5, rows: 50, features: 3, classes: 2)
        let trainer = LocalTrainer(architecture: architecture)
        await propertyCheck(count: 10, input: Gen.uint64()) { seed in
            let initial = architecture.initialModel(seed: seed)
            #expect(architecture.initialModel(seed: seed) == initial)
            let configuration = TrainingConfiguration(epochs: 2, batchSize: 7, learningRate: 0.1, momentum: 0.5, weightDecay: 1e-3, seed: seed)
            let first = try trainer.train(model: initial, data: data, configuration: configuration)
            let second = try trainer.train(model: initial, data: data, configuration: configuration)
            #expect(first == second)
            var other = configuration
            other.seed = seed &+ 1
            #expect(try trainer.train(model: initial, data: data, configuration: other).model != first.model, "shuffling depends on the seed")
        }
    }

    @Test("the FedProx term pulls the local model towards the global one")
    func proximalTermPulls() throws {
        let architecture = try ModelArchitecture.multilayerPerceptron(inputCount: 3, hiddenLayers: [5], classCount: 3)
        let data = Self.separable(seed: 8, rows: 120, features: 3, classes: 3)
        let global = architecture.initialModel(seed: 30)
        let trainer = LocalTrainer(architecture: architecture)
        func distance(mu: Double) throws -> Double {
            let configuration = TrainingConfiguration(epochs: 5, batchSize: 10, learningRate: 0.1, proximalMu: mu, seed: 2)
            let model = try trainer.train(model: global, data: data, configuration: configuration, globalModel: global).model
            return zip(model, global).reduce(0.0) { sum, pair in
                sum + zip(pair.0.tensor.floatValues(), pair.1.tensor.floatValues()).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            }.squareRoot()
        }
        let distances = try [0, 0.1, 1, 5].map(distance)
        #expect(distances[0] > 0)
        #expect(zip(distances, distances.dropFirst()).allSatisfy { $0 > $1 }, "distance shrinks as mu grows: \(distances)")
        #expect(throws: TrainingError.missingGlobalModel) {
            try trainer.train(model: global, data: data, configuration: .init(proximalMu: 0.1))
        }
    }

    @Test("parameters use stable PyTorch-style names and travel as safetensors")
    func parameterNamesAndTransport() throws {
        let architecture = try ModelArchitecture.multilayerPerceptron(inputCount: 4, hiddenLayers: [8, 5], classCount: 3)
        let model = architecture.initialModel(seed: 1)
        #expect(model.names == ["layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"])
        #expect(model["layer0.weight"]?.shape == [8, 4] && model["layer1.weight"]?.shape == [5, 8] && model["layer2.bias"]?.shape == [3])
        #expect(model.parameterCount == architecture.parameterCount)
        let read = try SafetensorsReader().read(SafetensorsWriter().write(model))
        #expect(try LocalTrainer(architecture: architecture).evaluate(model: read, data: Self.separable(seed: 1, rows: 20, features: 4, classes: 3))
                == LocalTrainer(architecture: architecture).evaluate(model: model, data: Self.separable(seed: 1, rows: 20, features: 4, classes: 3)))
    }

    @Test("bad inputs are refused with a reason")
    func invalidInputs() throws {
        let architecture = try ModelArchitecture.logisticRegression(inputCount: 2, classCount: 2)
        let trainer = LocalTrainer(architecture: architecture)
        let model = architecture.initialModel(seed: 1)
        let data = try TabularDataset(rows: [[0, 1], [1, 0]], labels: [0, 1])
        #expect(throws: TrainingError.labelOutOfRange(row: 1, label: 2, classCount: 2)) {
            try trainer.evaluate(model: model, data: TabularDataset(rows: [[0, 1], [1, 0]], labels: [0, 2]))
        }
        #expect(throws: TrainingError.invalidDataset("rows have 3 features, the model takes 2")) {
            try trainer.evaluate(model: model, data: TabularDataset(rows: [[0, 1, 2]], labels: [0]))
        }
        #expect(throws: TrainingError.invalidDataset("row 1 has 1 features, row 0 has 2")) { try TabularDataset(rows: [[0, 1], [1]], labels: [0, 1]) }
        #expect(throws: TrainingError.self) { try TabularDataset(rows: [[0, .nan]], labels: [0]) }
        #expect(throws: TrainingError.invalidConfiguration(field: "epochs", reason: "must be at least 1, not 0")) {
            try trainer.train(model: model, data: data, configuration: .init(epochs: 0))
        }
        #expect(throws: TrainingError.self) { try trainer.train(model: model, data: data, configuration: .init(momentum: 1)) }
        #expect(throws: TrainingError.self) { try trainer.train(model: model, data: data, configuration: .init(learningRate: -1)) }
        #expect(throws: TrainingError.modelMismatch("tensor 'layer0.weight' has shape [2, 3], expected [2, 2]")) {
            let wrong = try ModelArchitecture.logisticRegression(inputCount: 3, classCount: 2).initialModel(seed: 1)
            _ = try trainer.evaluate(model: wrong, data: data)
        }
        #expect(throws: TrainingError.self) { try ModelArchitecture(inputCount: 2, hiddenLayers: [0], classCount: 2) }
        // A learning rate this large overflows the parameters within a few steps.
        do {
            _ = try trainer.train(model: model, data: data, configuration: .init(epochs: 20, batchSize: 1, learningRate: 1e300))
            Issue.record("training with an absurd learning rate did not report divergence")
        } catch {
            guard case .diverged = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test("the seeded generator is reproducible and its bounded draws stay in range")
    func seededGenerator() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 1...1000)) { seed, bound in
            var a = SeededGenerator(seed: seed), b = SeededGenerator(seed: seed)
            #expect((0..<8).map { _ in a.next() } == (0..<8).map { _ in b.next() })
            for _ in 0..<50 {
                #expect((0..<bound).contains(a.next(below: bound)))
                let unit = a.nextUnitDouble()
                #expect(unit >= 0 && unit < 1)
            }
            var shuffled = Array(0..<20)
            a.shuffle(&shuffled)
            #expect(shuffled.sorted() == Array(0..<20))
        }
    }
}
