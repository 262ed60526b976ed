import CumulusAPI
/// Why a node may not take a task. Every reason that applies is recorded, so the task's API can
/// show an operator exactly what to fix ("too little memory: 4 GB, needs 8 GB").
public enum Ineligibility: Sendable, Equatable, Hashable, CustomStringConvertible {
    case otherOrganisation
    case status(NodeSnapshot.Status)
    case staleHeartbeat(secondsAgo: Int, limit: Int)
    case tooFewVCPUs(has: Int, needs: Int)
    case tooLittleMemory(hasGB: Double, needsGB: Double)
    case tooFewGPUs(has: Int, needs: Int)
    case tooLittleDisk(freeGB: Double, needsGB: Double)
    case missingDataset(String)
    case cpuBusy(utilisation: Double, limit: Double)
    case memoryBusy(utilisation: Double, limit: Double)
    case alreadyTried

    public var description: String {
        switch self {
        case .otherOrganisation: "belongs to another organisation"
        case .status(let status): "is \(status.rawValue), not active"
        case .staleHeartbeat(let ago, let limit): "last heartbeat \(ago) s ago (limit \(limit) s)"
        case .tooFewVCPUs(let has, let needs): "has \(has) vCPUs, needs \(needs)"
        case .tooLittleMemory(let has, let needs): "has \(Self.format(has)) GB memory, needs \(Self.format(needs)) GB"
        case .tooFewGPUs(let has, let needs): "has \(has) GPUs, needs \(needs)"
        case .tooLittleDisk(let free, let needs): "has \(Self.format(free)) GB free disk, needs \(Self.format(needs)) GB"
        case .missingDataset(let name): "does not hold dataset '\(name)'"
        case .cpuBusy(let utilisation, let limit): "CPU at \(Self.percent(utilisation)), limit \(Self.percent(limit))"
        case .memoryBusy(let utilisation, let limit): "memory at \(Self.percent(utilisation)), limit \(Self.percent(limit))"
        case .alreadyTried: "already tried for this task"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
    }

    static func percent(_ value: Double) -> String { "\(Int((value * 100).rounded())) %" }
}
