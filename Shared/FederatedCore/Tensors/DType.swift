/// The element types a ``Tensor`` can hold. F32 is the working type; the others are accepted
/// because PyTorch and NumPy write them, and are converted to F32 for arithmetic.
public enum DType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case float64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float16, .bfloat16: 2
        case .float32: 4
        case .float64: 8
        }
    }

    /// The code used in safetensors headers ("F32", "BF16", ...).
    public var safetensorsName: String { rawValue }

    public var description: String { rawValue }

    /// Position in the safetensors `Dtype` enum, which the Rust writer uses to order the data
    /// section (descending, i.e. widest alignment first). Only the relative order matters.
    var safetensorsRank: Int {
        switch self {
        case .float16: 0
        case .bfloat16: 1
        case .float32: 2
        case .float64: 3
        }
    }

    /// Looks up a safetensors dtype code; `nil` for codes this module does not support.
    public init?(safetensorsName: String) {
        self.init(rawValue: safetensorsName)
    }
}
