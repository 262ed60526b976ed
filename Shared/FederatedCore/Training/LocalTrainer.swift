/// Trains and evaluates a ``ModelArchitecture`` on a participant's ``TabularDataset`` — the
/// client half of a round. Deterministic: the same model, data, configuration and seed give the
/// same bits on every run and platform (no system randomness, no threads, a fixed summation order).
import SeededRandom
public struct LocalTrainer: Sendable {
    public struct TrainingOutcome: Sendable, Equatable {
        /// The updated model, F32, with the architecture's tensor names.
        public let model: TensorCollection
        /// Examples in the local dataset: the weight this update gets in FedAvg (Flower's
        /// `num_examples`, i.e. `len(dataset)`, not multiplied by epochs).
        public let examples: Int
        /// Mean cross-entropy over every example seen during training, each measured in its
        /// mini-batch before that batch's step (regularisers excluded, so it compares with
        /// ``EvaluationOutcome/loss``).
        public let meanLoss: Double
    }

    public struct EvaluationOutcome: Sendable, Equatable {
        /// Mean softmax cross-entropy.
        public let loss: Double
        /// Fraction of examples whose highest logit is the label.
        public let accuracy: Double
        public let examples: Int
    }

    public let architecture: ModelArchitecture

    public init(architecture: ModelArchitecture) {
        self.architecture = architecture
    }

    /// Mini-batch SGD from `model`. `globalModel` is needed when `configuration.proximalMu > 0`
    /// (FedProx) and ignored otherwise.
    public func train(
        model: TensorCollection, data: TabularDataset, configuration: TrainingConfiguration,
        globalModel: TensorCollection? = nil
    ) throws(TrainingError) -> TrainingOutcome {
        try configuration.validate()
        try check(data)
        var network = try DenseNetwork(architecture: architecture, model: model)
        var global: [Double]?
        if configuration.proximalMu > 0 {
            guard let globalModel else { throw .missingGlobalModel }
            global = try DenseNetwork(architecture: architecture, model: globalModel).parameters
        }

        var generator = SeededGenerator(seed: configuration.seed)
        var order = Array(0..<data.exampleCount)
        var velocity = [Double](repeating: 0, count: network.parameters.count)
        var lossSum = 0.0
        var seen = 0
        for epoch in 0..<configuration.epochs {
            generator.shuffle(&order)
            var step = 0
            for start in stride(from: 0, to: order.count, by: configuration.batchSize) {
                let batch = order[start..<min(start + configuration.batchSize, order.count)]
                let (value, crossEntropy, gradient) = network.objective(
                    data, rows: batch, weightDecay: configuration.weightDecay,
                    proximalMu: configuration.proximalMu, global: global)
                guard value.isFinite else { throw .diverged(epoch: epoch, step: step) }
                lossSum += crossEntropy * Double(batch.count)
                seen += batch.count
                // PyTorch SGD: buffer = momentum·buffer + g (buffer starts at g); θ −= lr·buffer.
                for index in velocity.indices {
                    velocity[index] = configuration.momentum * velocity[index] + gradient[index]
                    network.parameters[index] -= configuration.learningRate * velocity[index]
                }
                step += 1
            }
        }
        // Parameters beyond Float's range would become infinities in the F32 model.
        let trained = network.model(metadata: model.metadata)
        guard trained.allSatisfy({ $0.tensor.firstNonFinite() == nil }) else {
            throw .diverged(epoch: configuration.epochs - 1, step: (order.count - 1) / configuration.batchSize)
        }
        return TrainingOutcome(model: trained, examples: data.exampleCount, meanLoss: lossSum / Double(seen))
    }

    /// Loss and accuracy of `model` on `data`, without changing anything.
    public func evaluate(model: TensorCollection, data: TabularDataset) throws(TrainingError) -> EvaluationOutcome {
        try check(data)
        let network = try DenseNetwork(architecture: architecture, model: model)
        let (loss, correct) = network.crossEntropy(data, rows: 0..<data.exampleCount, gradient: nil)
        let count = Double(data.exampleCount)
        return EvaluationOutcome(loss: loss / count, accuracy: Double(correct) / count, examples: data.exampleCount)
    }

    private func check(_ data: TabularDataset) throws(TrainingError) {
        guard data.exampleCount > 0 else { throw .invalidDataset("no examples") }
        guard data.featureCount == architecture.inputCount else {
            throw .invalidDataset("rows have \(data.featureCount) features, the model takes \(architecture.inputCount)")
        }
        if let row = data.labels.firstIndex(where: { $0 >= architecture.classCount }) {
            throw .labelOutOfRange(row: row, label: data.labels[row], classCount: architecture.classCount)
        }
    }
}
