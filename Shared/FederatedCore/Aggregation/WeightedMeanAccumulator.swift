/// Streaming example-weighted mean of model updates: each update is validated and folded into a
/// running sum as it arrives, then dropped, so memory is O(model) whatever the number of clients.
///
/// Arithmetic — chosen to match Flower and measured for speed:
/// - the running sum is `Float`, and each update is weighted by its example count on the way in:
///   `sum += Float(examples) * update`; `mean()` divides by the total. That is operation for
///   operation Flower's `aggregate()` (`reduce(np.add, [layer * n ...]) / total`), so FedAvg and
///   FedAvgM results are bit-identical to Flower's non-in-place path and within one rounding of
///   its default in-place path (which scales by `n / total` in float64 first).
/// - the error of a Float sum grows like √k·2⁻²⁴ typically (k·2⁻²⁴ at worst) relative to
///   Σ|nᵢxᵢ| for k updates: ~6·10⁻⁷ for 100 clients, the same order as Flower's own float32 sums.
/// - a `Double` sum would be ~2⁻⁵³-accurate but reads and writes twice the bytes per element; on
///   the 2-core benchmark machine its fold loop ran at 3.3–3.4 GB/s against 6.1–6.5 GB/s for
///   Float (one thread; see Benchmarks/FederatedBench), so Float it is.
///
/// Validation happens in full before any byte of the sum changes, so a refused update (wrong
/// names, shapes or dtypes; NaN or infinity) leaves the accumulator exactly as it was. The
/// finiteness scan is therefore a separate pass (a scan fused into the fold could not be undone
/// exactly), and it is skipped for tensors already marked ``Tensor/isKnownFinite`` — those that
/// `SafetensorsReader(requireFinite: true)` decoded, scanning while it copied. So the coordinator's
/// path (decode with `requireFinite`, then fold) reads each update's values once for the check.
public struct WeightedMeanAccumulator: Sendable {
    public struct Options: Sendable, Hashable, Codable {
        /// Threads used for the scans and folds of large tensors (the work is memory-bound; a
        /// second core adds bandwidth).
        public var parallelism: Int

        public init(parallelism: Int = 1) {
            self.parallelism = max(1, parallelism)
        }
    }

    public let layout: ModelLayout
    public let options: Options
    public private(set) var updateCount = 0
    public private(set) var totalExamples = 0
    private let metadata: [String: String]
    private var sums: [Float]

    /// Prepares to average updates shaped like `template` (normally the current global model).
    public init(template: TensorCollection, options: Options = Options()) {
        self.layout = ModelLayout(template)
        self.options = options
        self.metadata = template.metadata
        self.sums = [Float](repeating: 0, count: layout.parameterCount)
    }

    /// Validates `update` against the template and adds `examples × update` to the running sum.
    public mutating func fold(_ update: TensorCollection, examples: Int) throws(AggregationError) {
        guard examples >= 0 else { throw .negativeExamples(examples) }
        let (total, overflow) = totalExamples.addingReportingOverflow(examples)
        guard !overflow else { throw .exampleCountOverflow }
        try layout.validate(update)
        try checkFinite(update)

        let weight = Float(examples)
        let isFirst = updateCount == 0
        let parallelism = options.parallelism
        sums.withUnsafeMutableBufferPointer { sums in
            for entry in layout.entries {
                let tensor = update[entry.name]!
                let target = UnsafeMutableBufferPointer(rebasing: sums[entry.range])
                let folded: Void? = tensor.withUnsafeFloat32Buffer { values in
                    Self.fold(values, into: target, weight: weight, isFirst: isFirst, parallelism: parallelism)
                }
                if folded == nil {
                    tensor.floatValues().withUnsafeBufferPointer { values in
                        Self.fold(values, into: target, weight: weight, isFirst: isFirst, parallelism: parallelism)
                    }
                }
            }
        }
        updateCount += 1
        totalExamples = total
    }

    /// The example-weighted mean of the folded updates, in the template's names, order, dtypes
    /// and metadata.
    public func mean() throws(AggregationError) -> TensorCollection {
        guard updateCount > 0 else { throw .noUpdates }
        guard totalExamples > 0 else { throw .noExamples }
        let divisor = Float(totalExamples)
        var result = TensorCollection(metadata: metadata)
        for entry in layout.entries {
            var values = Array(sums[entry.range])
            values.withUnsafeMutableBufferPointer { Kernels.divide($0, by: divisor) }
            // Names are unique in the layout, so `set` only appends.
            result.set(Tensor(unchecked: entry.shape, storage: Tensor.storage(for: values, as: entry.dtype)), named: entry.name)
        }
        return result
    }

    private static func fold(
        _ values: UnsafeBufferPointer<Float>, into target: UnsafeMutableBufferPointer<Float>,
        weight: Float, isFirst: Bool, parallelism: Int
    ) {
        Kernels.forEachRange(count: target.count, parallelism: parallelism) { _, range in
            let source = UnsafeBufferPointer(rebasing: values[range])
            let destination = UnsafeMutableBufferPointer(rebasing: target[range])
            if isFirst {
                Kernels.assignScaled(destination, source, weight: weight)
            } else {
                Kernels.addScaled(destination, source, weight: weight)
            }
        }
    }

    private func checkFinite(_ update: TensorCollection) throws(AggregationError) {
        for entry in layout.entries {
            let tensor = update[entry.name]!
            if tensor.isKnownFinite { continue }
            let found: (index: Int, value: Double)?? = tensor.withUnsafeFloat32Buffer { values in
                Self.firstNonFinite(values, parallelism: options.parallelism).map { ($0, Double(values[$0])) }
            }
            if let (index, value) = found ?? tensor.firstNonFinite() {
                throw .nonFinite(tensor: entry.name, index: index, value: value)
            }
        }
    }

    private static func firstNonFinite(_ values: UnsafeBufferPointer<Float>, parallelism: Int) -> Int? {
        let workers = Kernels.workerCount(count: values.count, parallelism: parallelism)
        var firsts = [Int?](repeating: nil, count: workers)
        firsts.withUnsafeMutableBufferPointer { firsts in
            Kernels.forEachRange(count: values.count, parallelism: parallelism) { worker, range in
                // Each worker writes only its own slot.
                firsts[worker] = Kernels.firstNonFinite(UnsafeBufferPointer(rebasing: values[range])).map { $0 + range.lowerBound }
            }
        }
        return firsts.lazy.compactMap { $0 }.first
    }
}
