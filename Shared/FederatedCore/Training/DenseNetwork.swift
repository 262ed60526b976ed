/// The arithmetic behind ``LocalTrainer``: a dense ReLU network whose parameters live in one flat
/// `Double` vector (`layer0.weight`, `layer0.bias`, `layer1.weight`, ...), so optimiser steps,
/// weight decay and the proximal term are single loops.
///
/// Double rather than Float: tabular models are small, so the cost is negligible, and it keeps
/// the many small gradient sums of a mini-batch from losing precision; the model is rounded to
/// F32 once, when it leaves the trainer.
struct DenseNetwork: Sendable {
    let architecture: ModelArchitecture
    var parameters: [Double]
    /// Start of each layer's weights in `parameters`; its biases follow them.
    let weightOffsets: [Int]

    init(architecture: ModelArchitecture, model: TensorCollection) throws(TrainingError) {
        self.architecture = architecture
        var parameters: [Double] = []
        var offsets: [Int] = []
        parameters.reserveCapacity(architecture.parameterCount)
        for (layer, size) in architecture.layerSizes.enumerated() {
            offsets.append(parameters.count)
            for (name, shape) in [(ModelArchitecture.weightName(layer: layer), [size.outputs, size.inputs]),
                                  (ModelArchitecture.biasName(layer: layer), [size.outputs])] {
                guard let tensor = model[name] else { throw .modelMismatch("missing tensor '\(name)'") }
                guard tensor.shape == shape else {
                    throw .modelMismatch("tensor '\(name)' has shape \(tensor.shape), expected \(shape)")
                }
                parameters.append(contentsOf: tensor.doubleValues())
            }
        }
        let expected = Set(architecture.layerSizes.indices.flatMap { [ModelArchitecture.weightName(layer: $0), ModelArchitecture.biasName(layer: $0)] })
        if let extra = model.names.first(where: { !expected.contains($0) }) {
            throw .modelMismatch("unexpected tensor '\(extra)'")
        }
        self.parameters = parameters
        self.weightOffsets = offsets
    }

    /// The parameters as an F32 model with the architecture's tensor names.
    func model(metadata: [String: String] = [:]) -> TensorCollection {
        var model = TensorCollection(metadata: metadata)
        for (layer, size) in architecture.layerSizes.enumerated() {
            let weightStart = weightOffsets[layer]
            let biasStart = weightStart + size.outputs * size.inputs
            let weights = parameters[weightStart..<biasStart].map { Float($0) }
            let biases = parameters[biasStart..<biasStart + size.outputs].map { Float($0) }
            model.set(Tensor(unchecked: [size.outputs, size.inputs], storage: .float32(weights)), named: ModelArchitecture.weightName(layer: layer))
            model.set(Tensor(unchecked: [size.outputs], storage: .float32(biases)), named: ModelArchitecture.biasName(layer: layer))
        }
        return model
    }

    /// Summed (not averaged) softmax cross-entropy over `rows`, the number of rows whose arg-max
    /// prediction is right, and — when `gradient` is given — the summed gradient added into it.
    func crossEntropy(
        _ data: TabularDataset, rows: some Collection<Int>, gradient: UnsafeMutableBufferPointer<Double>?
    ) -> (loss: Double, correct: Int) {
        let sizes = architecture.layerSizes
        // Activations per layer input (a₀ = features) and the logits.
        var activations: [[Double]] = [[Double](repeating: 0, count: architecture.inputCount)]
            + sizes.map { [Double](repeating: 0, count: $0.outputs) }
        var deltas = sizes.map { [Double](repeating: 0, count: $0.outputs) }
        var totalLoss = 0.0
        var correct = 0

        parameters.withUnsafeBufferPointer { theta in
            for row in rows {
                let label = data.labels[row]
                for feature in 0..<architecture.inputCount {
                    activations[0][feature] = Double(data.features[row * architecture.inputCount + feature])
                }
                // Forward.
                for (layer, size) in sizes.enumerated() {
                    let weightStart = weightOffsets[layer]
                    let biasStart = weightStart + size.outputs * size.inputs
                    let isHidden = layer < sizes.count - 1
                    for output in 0..<size.outputs {
                        var sum = theta[biasStart + output]
                        let rowStart = weightStart + output * size.inputs
                        for input in 0..<size.inputs { sum += theta[rowStart + input] * activations[layer][input] }
                        activations[layer + 1][output] = isHidden ? max(0, sum) : sum
                    }
                }
                // Softmax cross-entropy, shifted by the largest logit for stability.
                let logits = activations[sizes.count]
                let largest = logits.max()!
                var normaliser = 0.0
                for logit in logits { normaliser += MathFunctions.exp(logit - largest) }
                let logNormaliser = largest + MathFunctions.log(normaliser)
                totalLoss += logNormaliser - logits[label]
                if logits.firstIndex(of: largest) == label { correct += 1 }

                guard let gradient else { continue }
                // Backward: ∂loss/∂logits = softmax − one-hot.
                let last = sizes.count - 1
                for output in 0..<logits.count {
                    deltas[last][output] = MathFunctions.exp(logits[output] - logNormaliser) - (output == label ? 1 : 0)
                }
                for layer in stride(from: last, through: 0, by: -1) {
                    let size = sizes[layer]
                    let weightStart = weightOffsets[layer]
                    let biasStart = weightStart + size.outputs * size.inputs
                    for output in 0..<size.outputs {
                        let delta = deltas[layer][output]
                        if delta == 0 { continue }
                        gradient[biasStart + output] += delta
                        let rowStart = weightStart + output * size.inputs
                        for input in 0..<size.inputs { gradient[rowStart + input] += delta * activations[layer][input] }
                    }
                    guard layer > 0 else { break }
                    // Propagate through the weights and the previous layer's ReLU.
                    for input in 0..<size.inputs {
                        guard activations[layer][input] > 0 else {
                            deltas[layer - 1][input] = 0
                            continue
                        }
                        var sum = 0.0
                        for output in 0..<size.outputs { sum += theta[weightStart + output * size.inputs + input] * deltas[layer][output] }
                        deltas[layer - 1][input] = sum
                    }
                }
            }
        }
        return (totalLoss, correct)
    }

    /// The training objective on `rows` — mean cross-entropy + `weightDecay/2·‖θ‖²` +
    /// `proximalMu/2·‖θ − θ_global‖²` — and its gradient. The step in ``LocalTrainer`` and the
    /// finite-difference tests both go through here.
    func objective(
        _ data: TabularDataset, rows: some Collection<Int>, weightDecay: Double, proximalMu: Double, global: [Double]?
    ) -> (value: Double, crossEntropy: Double, gradient: [Double]) {
        var gradient = [Double](repeating: 0, count: parameters.count)
        let (summed, _) = gradient.withUnsafeMutableBufferPointer { crossEntropy(data, rows: rows, gradient: $0) }
        let scale = 1 / Double(rows.count)
        let meanLoss = summed * scale
        var value = meanLoss
        for index in parameters.indices {
            let theta = parameters[index]
            gradient[index] = gradient[index] * scale + weightDecay * theta
            value += 0.5 * weightDecay * theta * theta
            if let global, proximalMu > 0 {
                let difference = theta - global[index]
                gradient[index] += proximalMu * difference
                value += 0.5 * proximalMu * difference * difference
            }
        }
        return (value, meanLoss, gradient)
    }
}
