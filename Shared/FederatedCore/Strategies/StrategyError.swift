/// Why a strategy could not be created, resumed or advanced.
public enum StrategyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An update (or the weighted mean handed in) was refused; see the underlying reason.
    case aggregation(AggregationError)
    /// Rounds are applied once each, in order from 1: applying one twice (say, after a restart)
    /// would apply the server optimiser's step twice.
    case roundOutOfOrder(expected: Int, found: Int)
    case invalidConfiguration(String)
    /// A persisted state does not fit together (e.g. moments shaped unlike the model).
    case invalidState(String)

    public var description: String {
        switch self {
        case .aggregation(let error): "aggregation failed: \(error)"
        case .roundOutOfOrder(let expected, let found): "round \(found) cannot be applied now; the next round is \(expected)"
        case .invalidConfiguration(let reason): "invalid strategy configuration: \(reason)"
        case .invalidState(let reason): "invalid strategy state: \(reason)"
        }
    }
}
