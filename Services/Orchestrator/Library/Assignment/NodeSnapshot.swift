import Foundation

/// A node's state as assignment sees it: what it is, how it is doing, what data it holds.
public struct NodeSnapshot: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case active, inactive, draining, failed
    }

    public var id: UUID
    public var organisation: UUID
    public var status: Status
    public var lastHeartbeat: Date
    public var vcpus: Int
    public var memoryGB: Double
    public var gpus: Int
    public var freeDiskGB: Double
    /// 0…1, from the latest heartbeat.
    public var cpuUtilisation: Double
    /// 0…1, from the latest heartbeat.
    public var memoryUtilisation: Double
    public var datasets: Set<String>

    public init(id: UUID, organisation: UUID, status: Status, lastHeartbeat: Date, vcpus: Int, memoryGB: Double, gpus: Int = 0,
                freeDiskGB: Double, cpuUtilisation: Double, memoryUtilisation: Double, datasets: Set<String> = []) {
        self.id = id
        self.organisation = organisation
        self.status = status
        self.lastHeartbeat = lastHeartbeat
        self.vcpus = vcpus
        self.memoryGB = memoryGB
        self.gpus = gpus
        self.freeDiskGB = freeDiskGB
        self.cpuUtilisation = cpuUtilisation
        self.memoryUtilisation = memoryUtilisation
        self.datasets = datasets
    }
}

/// What a task needs of the node that runs it.
public struct TaskRequirement: Sendable, Equatable, Codable {
    public var minimumVCPUs: Int
    public var minimumMemoryGB: Double
    public var minimumGPUs: Int
    public var minimumFreeDiskGB: Double
    /// A dataset the node must hold (by name), if the task trains or evaluates on one.
    public var dataset: String?
    public var maximumCPUUtilisation: Double
    public var maximumMemoryUtilisation: Double
    /// A node whose last heartbeat is older than this is not trusted with work.
    public var heartbeatFreshnessSeconds: Double

    public init(minimumVCPUs: Int = 1, minimumMemoryGB: Double = 1, minimumGPUs: Int = 0, minimumFreeDiskGB: Double = 1, dataset: String? = nil,
                maximumCPUUtilisation: Double = 0.9, maximumMemoryUtilisation: Double = 0.9, heartbeatFreshnessSeconds: Double = 30) {
        self.minimumVCPUs = minimumVCPUs
        self.minimumMemoryGB = minimumMemoryGB
        self.minimumGPUs = minimumGPUs
        self.minimumFreeDiskGB = minimumFreeDiskGB
        self.dataset = dataset
        self.maximumCPUUtilisation = maximumCPUUtilisation
        self.maximumMemoryUtilisation = maximumMemoryUtilisation
        self.heartbeatFreshnessSeconds = heartbeatFreshnessSeconds
    }
}
