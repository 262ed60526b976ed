/// One round's client models, buffered for the rules that need to see them all at once (median,
/// trimmed mean, Krum, Bulyan, FedQV, the reputation rule): each update is validated against
/// the global model's layout (names, shapes, dtypes; every value finite) and stored flattened,
/// in F32, one row per client in arrival order. Memory is n × (model size).
///
/// Updates are full client models, as in Flower's `FitRes.parameters` (not deltas).
public struct RoundUpdates: Sendable {
    public let layout: ModelLayout
    /// The model the round started from (the previous global model), in F32.
    public let globalModel: TensorCollection
    public private(set) var clients: [String] = []
    public private(set) var examples: [Int] = []
    /// Row-major: client `c`'s value of flat coordinate `j` is `values[c * parameterCount + j]`.
    private(set) var values: [Float] = []

    /// Prepares to buffer updates shaped like `globalModel`; `expectedClients` reserves memory.
    public init(globalModel: TensorCollection, expectedClients: Int = 0) {
        self.globalModel = globalModel.converted(to: .float32)
        self.layout = ModelLayout(self.globalModel)
        values.reserveCapacity(max(0, expectedClients) * layout.parameterCount)
    }

    public var count: Int { clients.count }
    public var parameterCount: Int { layout.parameterCount }

    /// Validates and stores one client's model. A refused update leaves the round unchanged.
    public mutating func append(client: String, update: TensorCollection, examples: Int) throws(DefenceError) {
        let position = clients.count
        func reject(_ reason: AggregationError) -> DefenceError { .rejectedUpdate(position: position, client: client, reason: reason) }
        guard !clients.contains(client) else { throw .duplicateClient(client) }
        guard examples >= 0 else { throw reject(.negativeExamples(examples)) }
        do {
            try layout.validate(update)
        } catch {
            throw reject(error)
        }
        let start = values.count
        for entry in layout.entries {
            let tensor = update[entry.name]!
            if tensor.withUnsafeFloat32Buffer({ values.append(contentsOf: $0) }) == nil {
                values.append(contentsOf: tensor.floatValues())
            }
            if !tensor.isKnownFinite {
                let found = values.withUnsafeBufferPointer { Kernels.firstNonFinite(UnsafeBufferPointer(rebasing: $0[(start + entry.offset)...])) }
                if let index = found {
                    let value = Double(values[start + entry.offset + index])
                    values.removeSubrange(start...)
                    throw reject(.nonFinite(tensor: entry.name, index: index, value: value))
                }
            }
        }
        clients.append(client)
        self.examples.append(examples)
    }

    /// Client `index`'s flattened model.
    func withRow<R>(_ index: Int, _ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        values.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[index * parameterCount..<(index + 1) * parameterCount])) }
    }

    /// Client `index`'s model (in arrival order) as tensors.
    public func update(_ index: Int) -> TensorCollection {
        withRow(index) { model(from: $0) }
    }

    /// The global model flattened in layout order.
    func flatGlobalModel() -> [Float] {
        var flat: [Float] = []
        flat.reserveCapacity(parameterCount)
        for entry in layout.entries { flat.append(contentsOf: globalModel[entry.name]!.floatValues()) }
        return flat
    }

    /// Tensors in the global model's names, order, shapes and metadata from flat F32 values.
    func model(from flat: UnsafeBufferPointer<Float>) -> TensorCollection {
        precondition(flat.count == parameterCount)
        var result = TensorCollection(metadata: globalModel.metadata)
        for entry in layout.entries {
            let values = Array(flat[entry.range])
            result.set(Tensor(unchecked: entry.shape, storage: Tensor.storage(for: values, as: entry.dtype)), named: entry.name)
        }
        return result
    }

    func model(from flat: [Float]) -> TensorCollection {
        flat.withUnsafeBufferPointer { model(from: $0) }
    }

    /// Calls `body` with the whole row-major matrix (n × parameterCount).
    func withMatrix<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        values.withUnsafeBufferPointer(body)
    }

    func checkNotEmpty(_ rule: String) throws(DefenceError) {
        guard count > 0 else { throw .tooFewUpdates(needed: 1, found: 0, rule: rule) }
    }
}
