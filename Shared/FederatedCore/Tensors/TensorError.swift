/// Problems constructing tensors or tensor collections.
public enum TensorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A dimension was negative.
    case negativeDimension(shape: [Int])
    /// The product of the dimensions does not fit in `Int`.
    case shapeOverflow(shape: [Int])
    /// The number of stored elements differs from the product of the shape.
    case elementCountMismatch(shape: [Int], expected: Int, found: Int)
    /// A collection already holds a tensor with this name.
    case duplicateName(String)
    /// An operation needed a different element type.
    case dtypeMismatch(expected: DType, found: DType)
    /// Decoding a persisted tensor failed.
    case invalidEncoding(String)

    public var description: String {
        switch self {
        case .negativeDimension(let shape):
            "shape \(shape) has a negative dimension"
        case .shapeOverflow(let shape):
            "shape \(shape) has more elements than fit in a 64-bit integer"
        case .elementCountMismatch(let shape, let expected, let found):
            "shape \(shape) needs \(expected) elements, found \(found)"
        case .duplicateName(let name):
            "a tensor named '\(name)' is already in the collection"
        case .dtypeMismatch(let expected, let found):
            "expected a \(expected) tensor, found \(found)"
        case .invalidEncoding(let reason):
            "invalid tensor encoding: \(reason)"
        }
    }
}
