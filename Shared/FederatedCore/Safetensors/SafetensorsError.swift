/// A safetensors buffer that cannot be read, or a collection that cannot be written. Every case
/// says where the problem is (which tensor, which field, which bytes) and what was expected.
public enum SafetensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header-length prefix.
    case truncated(byteCount: Int)
    /// The declared header length exceeds the configured maximum.
    case headerTooLarge(declared: UInt64, maximum: Int)
    /// The declared header length runs past the end of the buffer.
    case headerBeyondBuffer(declared: UInt64, available: Int)
    case headerNotUTF8(offset: Int)
    /// Malformed JSON; `offset` counts bytes from the start of the header text.
    case invalidJSON(offset: Int, reason: String)
    /// The header's top level is not a JSON object.
    case headerNotObject(found: String)
    /// `tensor` lacks `field`.
    case missingField(tensor: String, field: String)
    /// `tensor`'s `field` holds the wrong kind of value.
    case invalidField(tensor: String, field: String, expected: String, found: String)
    case duplicateTensorName(String)
    case unsupportedDType(tensor: String, dtype: String)
    case shapeOverflow(tensor: String, shape: [Int])
    /// `data_offsets` with the end before the beginning.
    case invalidOffsets(tensor: String, begin: Int, end: Int)
    case offsetsOutOfBounds(tensor: String, begin: Int, end: Int, dataSize: Int)
    /// The byte span does not hold shape × dtype bytes.
    case byteLengthMismatch(tensor: String, dtype: DType, shape: [Int], expected: Int, found: Int)
    /// `tensor`'s data starts inside `previous`'s.
    case overlappingTensors(tensor: String, previous: String, begin: Int, previousEnd: Int)
    /// Bytes of the data section that belong to no tensor; `before` is the next tensor, if any.
    case uncoveredBytes(range: Range<Int>, before: String?)
    case invalidMetadata(key: String?, reason: String)
    /// A NaN or infinity where the caller required finite values.
    case nonFinite(tensor: String, index: Int, value: Double)
    /// The writer cannot store a tensor under this name.
    case reservedTensorName(String)

    public var description: String {
        switch self {
        case .truncated(let count):
            return "safetensors buffer is \(count) bytes; the 8-byte header length alone needs 8"
        case .headerTooLarge(let declared, let maximum):
            return "header length \(declared) exceeds the maximum of \(maximum) bytes"
        case .headerBeyondBuffer(let declared, let available):
            return "header length is \(declared) bytes but only \(available) bytes follow the 8-byte length"
        case .headerNotUTF8(let offset):
            return "header is not valid UTF-8 (string at header byte \(offset))"
        case .invalidJSON(let offset, let reason):
            return "header JSON is invalid at header byte \(offset): \(reason)"
        case .headerNotObject(let found):
            return "header must be a JSON object, found \(found)"
        case .missingField(let tensor, let field):
            return "tensor '\(tensor)': missing field '\(field)'"
        case .invalidField(let tensor, let field, let expected, let found):
            return "tensor '\(tensor)': field '\(field)' must be \(expected), found \(found)"
        case .duplicateTensorName(let name):
            return "tensor name '\(name)' appears more than once in the header"
        case .unsupportedDType(let tensor, let dtype):
            let supported = DType.allCases.map(\.safetensorsName).joined(separator: ", ")
            return "tensor '\(tensor)': dtype \(dtype) is not supported (supported: \(supported))"
        case .shapeOverflow(let tensor, let shape):
            return "tensor '\(tensor)': shape \(shape) has more elements than fit in a 64-bit integer"
        case .invalidOffsets(let tensor, let begin, let end):
            return "tensor '\(tensor)': data_offsets [\(begin), \(end)] end before they begin"
        case .offsetsOutOfBounds(let tensor, let begin, let end, let size):
            return "tensor '\(tensor)': data_offsets [\(begin), \(end)] extend past the \(size)-byte data section"
        case .byteLengthMismatch(let tensor, let dtype, let shape, let expected, let found):
            return "tensor '\(tensor)': shape \(shape) of \(dtype) needs \(expected) bytes, but data_offsets span \(found)"
        case .overlappingTensors(let tensor, let previous, let begin, let previousEnd):
            return "tensor '\(tensor)' starts at data byte \(begin), inside tensor '\(previous)', which ends at \(previousEnd)"
        case .uncoveredBytes(let range, let before):
            let place = before.map { "before tensor '\($0)'" } ?? "after the last tensor"
            return "data bytes \(range.lowerBound)..<\(range.upperBound) belong to no tensor (\(place))"
        case .invalidMetadata(let key, let reason):
            return key.map { "__metadata__ entry '\($0)': \(reason)" } ?? "__metadata__: \(reason)"
        case .nonFinite(let tensor, let index, let value):
            return "tensor '\(tensor)': element \(index) is \(value), not a finite number"
        case .reservedTensorName(let name):
            return "'\(name)' is reserved by the safetensors format and cannot name a tensor"
        }
    }
}
