import CumulusAPI
import Foundation

/// A node's state as assignment sees it: what it is, how it is doing, what data it holds.
public struct NodeSnapshot: Sendable, Equatable {
    public typealias Status = NodeStatus

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
