/// How a model update travels through secure aggregation, which sums vectors and nothing else.
///
/// An agent sends `weight × (its model − the global model)` as one flat vector (tensors in
/// name order: a collection's own order is how it was built or read, which differs between the
/// coordinator's model in memory and the agent's copy read from a file), weight = min(examples, cap) ÷ cap. The coordinator learns only
/// the sum of those vectors and the weights (examples are reported in the clear, as in plain
/// FedAvg), so the example-weighted mean model is global + Σ weighted deltas ÷ Σ weights —
/// the same model the streaming FedAvg path computes from the individual updates, up to the
/// quantisation step and the cap.
public enum SecureUpdateEncoding {
    public struct EncodingError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The weight of an update from `examples` training examples, in (0, 1].
    public static func weight(examples: Int, cap: Int) -> Double {
        Double(min(max(examples, 1), max(cap, 1))) / Double(max(cap, 1))
    }

    /// The vector an agent masks: its weighted delta from the global model.
    public static func encode(update: TensorCollection, global: TensorCollection, weight: Double) throws -> [Float] {
        try ModelLayout(global).validate(update)
        var vector: [Float] = []
        vector.reserveCapacity(global.parameterCount)
        for name in global.names.sorted() {
            let reference = global[name]!.floatValues()
            let values = update[name]!.floatValues()
            for index in reference.indices { vector.append(Float(weight * (Double(values[index]) - Double(reference[index])))) }
        }
        return vector
    }

    /// The weighted mean model from the sum of the weighted deltas and the sum of the weights.
    public static func decode(sum: [Float], totalWeight: Double, global: TensorCollection) throws -> TensorCollection {
        guard sum.count == global.parameterCount else {
            throw EncodingError("the secure sum has \(sum.count) values; the model has \(global.parameterCount) parameters")
        }
        guard totalWeight > 0, totalWeight.isFinite else { throw EncodingError("the sum of the weights is \(totalWeight)") }
        var tensors: [String: Tensor] = [:]
        var offset = 0
        for name in global.names.sorted() {
            let tensor = global[name]!
            let reference = tensor.floatValues()
            let values = reference.indices.map { Float(Double(reference[$0]) + Double(sum[offset + $0]) / totalWeight) }
            offset += reference.count
            tensors[name] = try Tensor(shape: tensor.shape, values: values).converted(to: tensor.dtype)
        }
        // The global model's own order for the result, like every other aggregate.
        var model = TensorCollection(metadata: global.metadata)
        for name in global.names { try model.insert(tensors[name]!, named: name) }
        return model
    }
}
