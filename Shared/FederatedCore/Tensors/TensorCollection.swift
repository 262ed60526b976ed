/// A model: named tensors in a stable order, plus the free-form string metadata safetensors
/// carries in `__metadata__`.
///
/// Order is insertion order (a reader inserts in file order). It matters for display and for
/// pairing with positional APIs such as Flower's `NDArrays`; the safetensors writer sorts by its
/// own rule regardless.
public struct TensorCollection: Sendable, Equatable, Sequence {
    public private(set) var names: [String] = []
    private var tensorsByName: [String: Tensor] = [:]
    /// Safetensors `__metadata__`. Empty means "no metadata" (the key is then not written).
    public var metadata: [String: String]

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    public init(
        _ entries: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]
    ) throws(TensorError) {
        self.metadata = metadata
        for (name, tensor) in entries { try insert(tensor, named: name) }
    }

    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }
    /// Total number of elements across all tensors.
    public var parameterCount: Int { tensorsByName.values.reduce(0) { $0 + $1.elementCount } }

    public subscript(name: String) -> Tensor? { tensorsByName[name] }

    /// Adds a tensor at the end; a name may appear only once.
    public mutating func insert(_ tensor: Tensor, named name: String) throws(TensorError) {
        guard tensorsByName[name] == nil else { throw .duplicateName(name) }
        names.append(name)
        tensorsByName[name] = tensor
    }

    /// Replaces the tensor called `name`, or appends it if there is none.
    public mutating func set(_ tensor: Tensor, named name: String) {
        if tensorsByName.updateValue(tensor, forKey: name) == nil { names.append(name) }
    }

    /// Mutates one tensor in place (no copy of its storage when uniquely referenced).
    mutating func modify<R>(_ name: String, _ body: (inout Tensor) -> R) -> R? {
        guard tensorsByName[name] != nil else { return nil }
        return body(&tensorsByName[name]!)
    }

    /// Every tensor converted to `dtype`.
    public func converted(to dtype: DType) -> TensorCollection {
        var result = self
        for name in names { result.tensorsByName[name] = tensorsByName[name]!.converted(to: dtype) }
        return result
    }

    public func makeIterator() -> some IteratorProtocol<(name: String, tensor: Tensor)> {
        names.lazy.map { ($0, self.tensorsByName[$0]!) }.makeIterator()
    }

    public static func == (lhs: TensorCollection, rhs: TensorCollection) -> Bool {
        lhs.names == rhs.names && lhs.tensorsByName == rhs.tensorsByName && lhs.metadata == rhs.metadata
    }
}
