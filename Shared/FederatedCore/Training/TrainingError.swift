/// Why local training or evaluation could not run.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidArchitecture(String)
    case invalidDataset(String)
    case invalidConfiguration(field: String, reason: String)
    /// The parameters handed in do not fit the architecture.
    case modelMismatch(String)
    case labelOutOfRange(row: Int, label: Int, classCount: Int)
    /// `proximalMu > 0` needs the global model to pull towards.
    case missingGlobalModel
    /// The loss became NaN or infinite (learning rate too high, or extreme features).
    case diverged(epoch: Int, step: Int)

    public var description: String {
        switch self {
        case .invalidArchitecture(let reason): "invalid architecture: \(reason)"
        case .invalidDataset(let reason): "invalid dataset: \(reason)"
        case .invalidConfiguration(let field, let reason): "invalid training configuration: \(field) \(reason)"
        case .modelMismatch(let reason): "model does not fit the architecture: \(reason)"
        case .labelOutOfRange(let row, let label, let classCount): "row \(row): label \(label) is outside 0..<\(classCount)"
        case .missingGlobalModel: "proximalMu > 0 requires the global model"
        case .diverged(let epoch, let step): "training diverged (non-finite loss) in epoch \(epoch), step \(step)"
        }
    }
}
