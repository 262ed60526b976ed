/// Why an update was refused by, or a result could not be produced from, a
/// ``WeightedMeanAccumulator``. A refused update leaves the accumulator unchanged.
public indirect enum AggregationError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingTensor(String)
    case unexpectedTensor(String)
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    case dtypeMismatch(tensor: String, expected: DType, found: DType)
    case nonFinite(tensor: String, index: Int, value: Double)
    case negativeExamples(Int)
    case exampleCountOverflow
    /// `mean()` before any update was folded.
    case noUpdates
    /// Every folded update reported zero examples, so the weighted mean is undefined.
    case noExamples
    /// Update number `position` (0-based, in the order given) of a batch was refused.
    case rejectedUpdate(position: Int, reason: AggregationError)

    public var description: String {
        switch self {
        case .missingTensor(let name):
            "update lacks tensor '\(name)' of the global model"
        case .unexpectedTensor(let name):
            "update has tensor '\(name)', which the global model does not"
        case .shapeMismatch(let name, let expected, let found):
            "tensor '\(name)': shape \(found) differs from the global model's \(expected)"
        case .dtypeMismatch(let name, let expected, let found):
            "tensor '\(name)': dtype \(found) differs from the global model's \(expected)"
        case .nonFinite(let name, let index, let value):
            "tensor '\(name)': element \(index) is \(value), not a finite number"
        case .negativeExamples(let count):
            "an update cannot report \(count) examples"
        case .exampleCountOverflow:
            "the total number of examples overflows a 64-bit integer"
        case .noUpdates:
            "no update has been folded, so there is no mean"
        case .noExamples:
            "the folded updates report zero examples in total, so the weighted mean is undefined"
        case .rejectedUpdate(let position, let reason):
            "update \(position) rejected: \(reason)"
        }
    }
}
