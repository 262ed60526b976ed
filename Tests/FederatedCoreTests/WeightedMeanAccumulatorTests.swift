import PropertyBased
import Testing

@testable import FederatedCore

@Suite("streaming weighted mean")
struct WeightedMeanAccumulatorTests {
    /// A random F32 template and `count` updates shaped like it, with their example counts.
    func scenario(seed: UInt64, updates count: Int) -> (template: TensorCollection, updates: [(TensorCollection, Int)]) {
        var random = RandomModels(seed: seed)
        let template = random.collection(count: 1 + random.generator.next(below: 4), dtypes: [.float32])
        let updates = (0..<count).map { index in
            // At least one update has examples, so the mean exists.
            (random.update(like: template, scale: 3), index == 0 ? 1 + random.generator.next(below: 1000) : random.generator.next(below: 1000))
        }
        return (template, updates)
    }

    @Test("streaming mean equals the batch mean within the float32 summation bound")
    func streamingEqualsBatch() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 1...12)) { seed, count in
            let (template, updates) = scenario(seed: seed, updates: count)
            var accumulator = WeightedMeanAccumulator(template: template)
            for (update, examples) in updates { try accumulator.fold(update, examples: examples) }
            let mean = try accumulator.mean()
            #expect(accumulator.updateCount == count)
            #expect(accumulator.totalExamples == updates.reduce(0) { $0 + $1.1 })
            #expect(mean.names == template.names)

            let total = Double(accumulator.totalExamples)
            for (name, tensor) in mean {
                let actual = tensor.floatValues()
                for index in actual.indices {
                    let terms = updates.map { Double($0.1) * Double($0.0[name]!.floatValues()[index]) }
                    let exact = terms.reduce(0, +) / total
                    // k weighted terms, k−1 additions and a division, each off by at most 2⁻²⁴.
                    let bound = Double(updates.count + 2) * 0x1p-24 * terms.map(abs).reduce(0, +) / total
                    #expect(abs(Double(actual[index]) - exact) <= bound, "\(name)[\(index)]")
                }
            }
        }
    }

    @Test("two threads give the same bits as one, and find a NaN in the second half")
    func parallelMatchesSerial() throws {
        var random = RandomModels(seed: 7)
        let count = 300_000  // large enough to be split across workers
        let template = try TensorCollection([("big", Tensor(shape: [count], values: random.normalFloats(count: count))),
                                             ("small", Tensor(shape: [3], values: random.normalFloats(count: 3)))])
        var serial = WeightedMeanAccumulator(template: template, options: .init(parallelism: 1))
        var parallel = WeightedMeanAccumulator(template: template, options: .init(parallelism: 2))
        for examples in [3, 50, 7] {
            let update = random.update(like: template)
            try serial.fold(update, examples: examples)
            try parallel.fold(update, examples: examples)
        }
        #expect(try serial.mean() == parallel.mean())

        var poisoned = random.update(like: template).floatValuesOf("big")
        poisoned[count - 5] = .infinity
        var bad = random.update(like: template)
        bad.set(try Tensor(shape: [count], values: poisoned), named: "big")
        #expect(throws: AggregationError.nonFinite(tensor: "big", index: count - 5, value: .infinity)) {
            try parallel.fold(bad, examples: 1)
        }
    }

    @Test("a refused update leaves the accumulator exactly as it was")
    func refusalIsAtomic() throws {
        var random = RandomModels(seed: 11)
        let template = random.collection(count: 3, dtypes: [.float32])
        let first = random.update(like: template)
        let second = random.update(like: template)
        let (name, tensor) = template.first { $0.tensor.elementCount > 0 }!

        var reference = WeightedMeanAccumulator(template: template)
        try reference.fold(first, examples: 10)
        try reference.fold(second, examples: 4)

        var accumulator = WeightedMeanAccumulator(template: template)
        try accumulator.fold(first, examples: 10)

        var missing = second
        missing = try TensorCollection(missing.filter { $0.name != name })
        var extra = second
        extra.set(try Tensor.zeros(shape: [1]), named: "not.in.model")
        var reshaped = second
        reshaped.set(try Tensor.zeros(shape: tensor.shape + [1]), named: name)
        var retyped = second
        retyped.set(second[name]!.converted(to: .float64), named: name)
        var nan = second
        var values = second[name]!.floatValues()
        values[values.count - 1] = .nan
        nan.set(try Tensor(shape: tensor.shape, values: values), named: name)

        let refusals: [(TensorCollection, Int, AggregationError)] = [
            (missing, 4, .missingTensor(name)),
            (extra, 4, .unexpectedTensor("not.in.model")),
            (reshaped, 4, .shapeMismatch(tensor: name, expected: tensor.shape, found: tensor.shape + [1])),
            (retyped, 4, .dtypeMismatch(tensor: name, expected: .float32, found: .float64)),
            (nan, 4, .nonFinite(tensor: name, index: values.count - 1, value: .nan)),
            (second, -1, .negativeExamples(-1)),
            (second, .max, .exampleCountOverflow),
        ]
        for (update, examples, expected) in refusals {
            do {
                try accumulator.fold(update, examples: examples)
                Issue.record("accepted an update that should fail with \(expected)")
            } catch {
                // NaN ≠ NaN, so compare non-finite refusals by their description.
                #expect(error.description == expected.description)
            }
        }
        #expect(accumulator.updateCount == 1 && accumulator.totalExamples == 10)
        try accumulator.fold(second, examples: 4)
        #expect(try accumulator.mean() == reference.mean())
    }

    @Test("tensors the reader verified finite are not scanned again, and lose the mark when written")
    func knownFiniteTensors() throws {
        var random = RandomModels(seed: 23)
        let template = random.collection(count: 3, dtypes: [.float32, .float16])
        let update = random.update(like: template.converted(to: .float32))
        let bytes = try SafetensorsWriter().write(update.converted(to: .float32))
        let checked = try SafetensorsReader(requireFinite: true).read(bytes)
        let unchecked = try SafetensorsReader().read(bytes)
        #expect(checked.allSatisfy { $0.tensor.isKnownFinite })
        #expect(!unchecked.contains { $0.tensor.isKnownFinite })
        #expect(checked == unchecked, "the mark is not part of equality")

        var fromChecked = WeightedMeanAccumulator(template: update)
        var fromUnchecked = WeightedMeanAccumulator(template: update)
        try fromChecked.fold(checked, examples: 5)
        try fromUnchecked.fold(unchecked, examples: 5)
        #expect(try fromChecked.mean() == fromUnchecked.mean())

        // Writing through the in-place accessor clears the mark, so a NaN written there is caught.
        let (name, tensor) = checked.first { $0.tensor.elementCount > 0 }!
        var poisoned = tensor
        _ = poisoned.withUnsafeMutableFloat32Buffer { $0[0] = .nan }
        #expect(!poisoned.isKnownFinite)
        var update2 = checked
        update2.set(poisoned, named: name)
        #expect(throws: AggregationError.self) { try fromChecked.fold(update2, examples: 1) }
    }

    @Test("no updates, or no examples, has no mean")
    func emptyRounds() throws {
        let template = try TensorCollection([("w", Tensor.zeros(shape: [2]))])
        var accumulator = WeightedMeanAccumulator(template: template)
        #expect(throws: AggregationError.noUpdates) { try accumulator.mean() }
        try accumulator.fold(template, examples: 0)
        #expect(throws: AggregationError.noExamples) { try accumulator.mean() }
    }

    @Test("non-F32 models are averaged in F32 and returned in their own dtype", arguments: [DType.float16, .bfloat16, .float64])
    func otherDTypes(dtype: DType) async {
        await propertyCheck(count: 20, input: Gen.uint64(), Gen.int(in: 1...5)) { seed, count in
            let (template, updates) = scenario(seed: seed, updates: count)
            let narrowed = updates.map { ($0.0.converted(to: dtype), $0.1) }
            var native = WeightedMeanAccumulator(template: template.converted(to: dtype))
            var widened = WeightedMeanAccumulator(template: template)
            for (update, examples) in narrowed {
                try native.fold(update, examples: examples)
                try widened.fold(update.converted(to: .float32), examples: examples)
            }
            let mean = try native.mean()
            #expect(mean.allSatisfy { $0.tensor.dtype == dtype })
            #expect(mean == (try widened.mean()).converted(to: dtype))
        }
    }
}

extension TensorCollection {
    func floatValuesOf(_ name: String) -> [Float] { self[name]!.floatValues() }
}
