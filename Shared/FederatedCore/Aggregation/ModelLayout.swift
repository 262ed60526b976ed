/// The names, shapes and dtypes of a model's tensors, in order, with each tensor's position in a
/// flat parameter vector. Updates are validated against the global model's layout.
public struct ModelLayout: Sendable, Hashable, Codable {
    public struct Entry: Sendable, Hashable, Codable {
        public let name: String
        public let shape: [Int]
        public let dtype: DType
        /// First element of this tensor in the flattened model.
        public let offset: Int
        public let count: Int

        public var range: Range<Int> { offset..<offset + count }
    }

    public let entries: [Entry]
    public let parameterCount: Int

    public init(_ model: TensorCollection) {
        var entries: [Entry] = []
        var offset = 0
        for (name, tensor) in model {
            entries.append(Entry(name: name, shape: tensor.shape, dtype: tensor.dtype, offset: offset, count: tensor.elementCount))
            offset += tensor.elementCount
        }
        self.entries = entries
        self.parameterCount = offset
    }

    /// Checks that `update` has exactly this layout's tensor names, shapes and dtypes.
    /// (Order does not matter: updates are matched by name.)
    public func validate(_ update: TensorCollection) throws(AggregationError) {
        for entry in entries {
            guard let tensor = update[entry.name] else { throw .missingTensor(entry.name) }
            guard tensor.shape == entry.shape else {
                throw .shapeMismatch(tensor: entry.name, expected: entry.shape, found: tensor.shape)
            }
            guard tensor.dtype == entry.dtype else {
                throw .dtypeMismatch(tensor: entry.name, expected: entry.dtype, found: tensor.dtype)
            }
        }
        if update.count != entries.count {
            let known = Set(entries.map(\.name))
            if let extra = update.names.first(where: { !known.contains($0) }) { throw .unexpectedTensor(extra) }
        }
    }
}
