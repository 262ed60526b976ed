/// Why a differential-privacy component could not be created or used.
public enum PrivacyError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    /// An update or model does not fit the reference model it is clipped against.
    case aggregation(AggregationError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid differential-privacy configuration: \(reason)"
        case .aggregation(let error): "differential privacy: \(error)"
        }
    }
}
