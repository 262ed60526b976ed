/// How often the federation runs a round.
public enum RoundSchedule: Sendable, Hashable, Codable {
    case roundsPerMonth(Double)
    /// One round every `seconds`, around the clock, all month.
    case interval(seconds: Double)

    public func roundsPerMonth(hoursPerMonth: Double) -> Double {
        switch self {
        case let .roundsPerMonth(rounds): rounds
        case let .interval(seconds): hoursPerMonth * 3600 / seconds
        }
    }

    var isValid: Bool {
        switch self {
        case let .roundsPerMonth(rounds): rounds.isFinite && rounds >= 0
        case let .interval(seconds): seconds.isFinite && seconds > 0
        }
    }
}
