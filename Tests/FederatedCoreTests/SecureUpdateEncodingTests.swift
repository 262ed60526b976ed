import FederatedCore
import Testing

/// What secure aggregation sums must decode to the model plain FedAvg computes from the
/// individual updates.
@Suite struct SecureUpdateEncodingTests {
    static func model(_ values: [Float], _ bias: [Float]) throws -> TensorCollection {
        var model = TensorCollection()
        try model.insert(try Tensor(shape: [2, 2], values: values), named: "weight")
        try model.insert(try Tensor(shape: [2], values: bias), named: "bias")
        return model
    }

    @Test func theDecodedSumOfWeightedDeltasIsTheExampleWeightedMean() throws {
        let global = try Self.model([0.1, -0.2, 0.3, 0.4], [0, 1])
        let updates = [try Self.model([0.2, -0.1, 0.2, 0.5], [0.5, 1]), try Self.model([0, 0, 0, 0], [-1, 2]), try Self.model([1, 1, 1, 1], [1, 1])]
        let examples = [30, 10, 60]
        let cap = 100
        var sum = [Float](repeating: 0, count: global.parameterCount)
        var totalWeight = 0.0
        for (update, count) in zip(updates, examples) {
            let weight = SecureUpdateEncoding.weight(examples: count, cap: cap)
            totalWeight += weight
            for (index, value) in try SecureUpdateEncoding.encode(update: update, global: global, weight: weight).enumerated() { sum[index] += value }
        }
        let decoded = try SecureUpdateEncoding.decode(sum: sum, totalWeight: totalWeight, global: global)

        var accumulator = WeightedMeanAccumulator(template: global)
        for (update, count) in zip(updates, examples) { try accumulator.fold(update, examples: count) }
        let mean = try accumulator.mean()
        for name in ["weight", "bias"] {
            for (actual, expected) in zip(decoded[name]!.floatValues(), mean[name]!.floatValues()) {
                #expect(abs(actual - expected) < 1e-6, "\(name): \(actual) vs \(expected)")
            }
        }
    }

    /// The agent reads the global model from a file, the coordinator holds it as it built it:
    /// the same tensors in another order must give the same vector.
    @Test func theVectorDoesNotDependOnTheCollectionsOrder() throws {
        let global = try Self.model([0.1, -0.2, 0.3, 0.4], [0, 1])
        var reordered = TensorCollection()
        try reordered.insert(global["bias"]!, named: "bias")
        try reordered.insert(global["weight"]!, named: "weight")
        let update = try Self.model([0.2, -0.1, 0.2, 0.5], [0.5, 1])
        let vector = try SecureUpdateEncoding.encode(update: update, global: reordered, weight: 1)
        #expect(vector == (try SecureUpdateEncoding.encode(update: update, global: global, weight: 1)))
        let decoded = try SecureUpdateEncoding.decode(sum: vector, totalWeight: 1, global: global)
        #expect(decoded.names == global.names)
        for name in ["weight", "bias"] {
            for (actual, expected) in zip(decoded[name]!.floatValues(), update[name]!.floatValues()) { #expect(abs(actual - expected) < 1e-6) }
        }
    }

    @Test func examplesAboveTheCapWeighAsTheCap() {
        #expect(SecureUpdateEncoding.weight(examples: 500, cap: 100) == 1)
        #expect(SecureUpdateEncoding.weight(examples: 25, cap: 100) == 0.25)
    }

    @Test func aSumOfTheWrongLengthOrNoWeightIsRefused() throws {
        let global = try Self.model([0, 0, 0, 0], [0, 0])
        #expect(throws: SecureUpdateEncoding.EncodingError.self) { try SecureUpdateEncoding.decode(sum: [0, 0], totalWeight: 1, global: global) }
        #expect(throws: SecureUpdateEncoding.EncodingError.self) { try SecureUpdateEncoding.decode(sum: [Float](repeating: 0, count: 6), totalWeight: 0, global: global) }
    }
}
