/// One purchasable machine: an instance type in a region at an on-demand hourly price.
public struct InstanceOffer: Sendable, Hashable, Codable, CustomStringConvertible {
    public var region: Region
    public var instanceType: String
    public var vCPU: Int
    public var memoryGB: Double
    /// nil when the catalogue does not say (the shared price CSVs carry no GPU columns).
    public var gpu: GPUSpec?
    /// On-demand Linux price in USD per hour.
    public var hourlyUSD: Double

    public init(
        region: Region, instanceType: String, vCPU: Int, memoryGB: Double, gpu: GPUSpec? = nil,
        hourlyUSD: Double
    ) {
        self.region = region
        self.instanceType = instanceType
        self.vCPU = vCPU
        self.memoryGB = memoryGB
        self.gpu = gpu
        self.hourlyUSD = hourlyUSD
    }

    public var provider: Provider { region.provider }

    public var description: String {
        "\(region.id) \(instanceType) (\(vCPU) vCPU, \(memoryGB) GB, $\(hourlyUSD)/h)"
    }
}
