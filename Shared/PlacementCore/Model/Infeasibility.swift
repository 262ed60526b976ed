/// Why an option cannot be used, with the figures that decided it.
public enum Infeasibility: Error, Sendable, Hashable, CustomStringConvertible {
    case providerNotAllowed(Provider)
    case regionNotAllowed(RegionID)
    case residency(RegionID)
    case tooFewVCPU(have: Int, need: Int)
    case tooLittleMemory(have: Double, need: Double)
    /// No latency for a pair the placement needs (and the matrix has no fallback).
    case latencyUnknown(RegionID, RegionID)
    case overBudget(monthlyCostUSD: Double, limit: Double)
    case tooSlow(roundTimeSeconds: Double, limit: Double)
    /// Nothing is priced in the region (a participant-only region).
    case noOffers(RegionID)

    /// Coarse kind, for counting exclusions.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case providerNotAllowed, regionNotAllowed, residency, tooFewVCPU, tooLittleMemory,
            latencyUnknown, overBudget, tooSlow, noOffers
    }

    public var kind: Kind {
        switch self {
        case .providerNotAllowed: .providerNotAllowed
        case .regionNotAllowed: .regionNotAllowed
        case .residency: .residency
        case .tooFewVCPU: .tooFewVCPU
        case .tooLittleMemory: .tooLittleMemory
        case .latencyUnknown: .latencyUnknown
        case .overBudget: .overBudget
        case .tooSlow: .tooSlow
        case .noOffers: .noOffers
        }
    }

    public var description: String {
        switch self {
        case let .providerNotAllowed(provider): "provider \(provider) is not allowed"
        case let .regionNotAllowed(region): "region \(region) is not allowed"
        case let .residency(region): "region \(region) is outside the residency rule"
        case let .tooFewVCPU(have, need): "\(have) vCPU, need at least \(need)"
        case let .tooLittleMemory(have, need): "\(have) GB memory, need at least \(need)"
        case let .latencyUnknown(a, b): "no latency known between \(a) and \(b)"
        case let .overBudget(cost, limit): "costs \(cost) USD/month, limit \(limit)"
        case let .tooSlow(time, limit): "round takes \(time) s, limit \(limit)"
        case let .noOffers(region): "no instance is priced in \(region)"
        }
    }
}
