/// A dense, contiguous, row-major tensor without a name: element type, shape and values.
///
/// Values are kept in their own element type (F16 and BF16 as raw bit patterns), so a tensor read
/// from safetensors and written back is bit-for-bit the same. Arithmetic happens in F32: see
/// ``floatValues()`` and ``converted(to:)``.
///
/// Equality is bitwise (NaN equals the same NaN, `-0` differs from `+0`): a tensor is a container
/// of values, and bitwise identity is the relation under which a round trip is lossless.
///
/// ``isKnownFinite`` records that every value was checked finite when the tensor was made (by
/// ``SafetensorsReader`` with `requireFinite`, which scans while it copies). Values cannot change
/// from outside the module, so the mark stays true, and the aggregator need not scan again.
public struct Tensor: Sendable, Hashable, CustomStringConvertible {
    /// The values, in their element type.
    public enum Storage: Sendable {
        case float32([Float])
        case float64([Double])
        /// IEEE binary16 bit patterns.
        case float16([UInt16])
        /// bfloat16 bit patterns.
        case bfloat16([UInt16])
    }

    public let shape: [Int]
    public private(set) var storage: Storage
    /// Every value was verified finite when this tensor was made. Not part of equality.
    public private(set) var isKnownFinite = false

    /// Creates a tensor, checking that the shape matches the number of stored elements.
    public init(shape: [Int], storage: Storage) throws(TensorError) {
        let expected = try Tensor.elementCount(of: shape)
        let found = storage.count
        guard expected == found else {
            throw .elementCountMismatch(shape: shape, expected: expected, found: found)
        }
        self.shape = shape
        self.storage = storage
    }

    /// For callers that have already established that `shape` and `storage` agree (and, with
    /// `knownFinite`, that every value is finite).
    init(unchecked shape: [Int], storage: Storage, knownFinite: Bool = false) {
        assert((try? Tensor.elementCount(of: shape)) == storage.count)
        self.shape = shape
        self.storage = storage
        self.isKnownFinite = knownFinite
    }

    /// Creates an F32 tensor.
    public init(shape: [Int], values: [Float]) throws(TensorError) {
        try self.init(shape: shape, storage: .float32(values))
    }

    /// An F32 tensor of zeros.
    public static func zeros(shape: [Int]) throws(TensorError) -> Tensor {
        try Tensor(shape: shape, values: [Float](repeating: 0, count: elementCount(of: shape)))
    }

    public var dtype: DType { storage.dtype }
    public var elementCount: Int { storage.count }
    public var byteCount: Int { elementCount * dtype.byteSize }

    /// Product of the dimensions (1 for a scalar), rejecting negative or overflowing shapes.
    public static func elementCount(of shape: [Int]) throws(TensorError) -> Int {
        var product = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .negativeDimension(shape: shape) }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .shapeOverflow(shape: shape) }
            product = next
        }
        return product
    }

    public var description: String { "Tensor(\(dtype), shape: \(shape))" }

    // MARK: Bitwise equality

    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        switch (lhs.storage, rhs.storage) {
        case (.float32(let a), .float32(let b)): return a.elementsEqual(b) { $0.bitPattern == $1.bitPattern }
        case (.float64(let a), .float64(let b)): return a.elementsEqual(b) { $0.bitPattern == $1.bitPattern }
        case (.float16(let a), .float16(let b)): return a == b
        case (.bfloat16(let a), .bfloat16(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(shape)
        hasher.combine(dtype)
        switch storage {
        case .float32(let values): for value in values { hasher.combine(value.bitPattern) }
        case .float64(let values): for value in values { hasher.combine(value.bitPattern) }
        case .float16(let bits), .bfloat16(let bits): hasher.combine(bits)
        }
    }

    // MARK: Fast access for the arithmetic kernels

    /// Calls `body` with the F32 values; returns `nil` without calling it when not F32.
    public func withUnsafeFloat32Buffer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R? {
        guard case .float32(let values) = storage else { return nil }
        return try values.withUnsafeBufferPointer(body)
    }

    /// Mutates the F32 values in place (no copy when the storage is uniquely referenced).
    /// Returns `nil` without calling `body` when the tensor is not F32.
    mutating func withUnsafeMutableFloat32Buffer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) -> R
    ) -> R? {
        guard case .float32(var values) = storage else { return nil }
        isKnownFinite = false  // the body may write anything
        storage = .float32([])  // drop our reference so `values` is unique and mutates in place
        let result = values.withUnsafeMutableBufferPointer { body($0) }
        storage = .float32(values)
        return result
    }
}

extension Tensor.Storage {
    public var dtype: DType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .float16: .float16
        case .bfloat16: .bfloat16
        }
    }

    public var count: Int {
        switch self {
        case .float32(let values): values.count
        case .float64(let values): values.count
        case .float16(let bits), .bfloat16(let bits): bits.count
        }
    }
}
