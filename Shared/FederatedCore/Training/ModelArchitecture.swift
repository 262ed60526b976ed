/// A fully connected classifier for tabular data: `inputCount` features, zero or more ReLU
/// hidden layers, `classCount` logits trained with softmax cross-entropy. With no hidden layers
/// it is multinomial logistic regression.
///
/// Parameters travel as a ``TensorCollection`` with PyTorch-style names, so a model trained here
/// loads into `nn.Sequential` of `nn.Linear` layers (modulo the layer prefix) and vice versa:
/// `layer{i}.weight` with shape `[out, in]` and `layer{i}.bias` with shape `[out]`.
import SeededRandom
public struct ModelArchitecture: Sendable, Hashable, Codable {
    public let inputCount: Int
    public let hiddenLayers: [Int]
    public let classCount: Int

    public init(inputCount: Int, hiddenLayers: [Int] = [], classCount: Int) throws(TrainingError) {
        guard inputCount > 0 else { throw .invalidArchitecture("inputCount must be positive, not \(inputCount)") }
        guard classCount >= 2 else { throw .invalidArchitecture("classCount must be at least 2, not \(classCount)") }
        if let width = hiddenLayers.first(where: { $0 <= 0 }) {
            throw .invalidArchitecture("hidden layer widths must be positive, found \(width)")
        }
        self.inputCount = inputCount
        self.hiddenLayers = hiddenLayers
        self.classCount = classCount
    }

    public static func logisticRegression(inputCount: Int, classCount: Int) throws(TrainingError) -> ModelArchitecture {
        try ModelArchitecture(inputCount: inputCount, classCount: classCount)
    }

    public static func multilayerPerceptron(inputCount: Int, hiddenLayers: [Int], classCount: Int) throws(TrainingError) -> ModelArchitecture {
        try ModelArchitecture(inputCount: inputCount, hiddenLayers: hiddenLayers, classCount: classCount)
    }

    /// `(inputs, outputs)` of each dense layer, input to output.
    public var layerSizes: [(inputs: Int, outputs: Int)] {
        let widths = [inputCount] + hiddenLayers + [classCount]
        return zip(widths, widths.dropFirst()).map { ($0, $1) }
    }

    public static func weightName(layer: Int) -> String { "layer\(layer).weight" }
    public static func biasName(layer: Int) -> String { "layer\(layer).bias" }

    public var parameterCount: Int { layerSizes.reduce(0) { $0 + $1.outputs * ($1.inputs + 1) } }

    /// Fresh parameters drawn like PyTorch's `nn.Linear` default: weights and biases uniform in
    /// ±1/√fan_in, from a ``SeededGenerator`` so a seed always gives the same model.
    public func initialModel(seed: UInt64) -> TensorCollection {
        var generator = SeededGenerator(seed: seed)
        var model = TensorCollection()
        for (layer, size) in layerSizes.enumerated() {
            let bound = 1 / Double(size.inputs).squareRoot()
            let weights = (0..<size.outputs * size.inputs).map { _ in Float(generator.nextDouble(in: -bound..<bound)) }
            let biases = (0..<size.outputs).map { _ in Float(generator.nextDouble(in: -bound..<bound)) }
            model.set(Tensor(unchecked: [size.outputs, size.inputs], storage: .float32(weights)), named: Self.weightName(layer: layer))
            model.set(Tensor(unchecked: [size.outputs], storage: .float32(biases)), named: Self.biasName(layer: layer))
        }
        return model
    }
}
