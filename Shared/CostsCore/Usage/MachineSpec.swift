/// What a usage event says about the machine: its instance type, its size, or both.
///
/// Pricing looks the instance type up in the event's region; when the type is missing or
/// unknown there, the cheapest offer of the region meeting `resources` prices it instead, and
/// the substitution is recorded. With neither, the event is unpriceable.
public struct MachineSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    public var instanceType: String?
    public var resources: ResourceRequirement?

    public init(instanceType: String? = nil, resources: ResourceRequirement? = nil) {
        self.instanceType = instanceType
        self.resources = resources
    }

    public static func instanceType(_ type: String, resources: ResourceRequirement? = nil) -> MachineSpec {
        MachineSpec(instanceType: type, resources: resources)
    }

    public static func resources(vCPU: Int, memoryGB: Double, gpu: GPURequirement? = nil) -> MachineSpec {
        MachineSpec(resources: ResourceRequirement(vCPU: vCPU, memoryGB: memoryGB, gpu: gpu))
    }

    public var description: String {
        switch (instanceType, resources) {
        case let (type?, resources?): "\(type) (\(resources))"
        case let (type?, nil): type
        case let (nil, resources?): resources.description
        case (nil, nil): "unspecified machine"
        }
    }
}
