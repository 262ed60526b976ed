import PlacementCore

/// A machine size: what an offer must at least have. Used to substitute an instance type the
/// catalogue does not know, and by the estimate wizard.
public struct ResourceRequirement: Sendable, Hashable, Codable, CustomStringConvertible {
    public var vCPU: Int
    public var memoryGB: Double
    /// nil: no GPU needed (an offer with GPUs still qualifies).
    public var gpu: GPURequirement?

    public init(vCPU: Int, memoryGB: Double, gpu: GPURequirement? = nil) {
        self.vCPU = vCPU
        self.memoryGB = memoryGB
        self.gpu = gpu
    }

    /// vCPU ≥ 0, memory finite and ≥ 0, GPU count ≥ 1 when a GPU is asked for.
    public var isValid: Bool {
        vCPU >= 0 && memoryGB.isFinite && memoryGB >= 0 && (gpu.map { $0.count >= 1 } ?? true)
    }

    /// At least the vCPU, memory and GPUs asked for. An offer whose GPUs are not stated (the
    /// shared price lists carry none) does not meet a GPU requirement: when in doubt, exclude.
    public func isMet(by offer: InstanceOffer) -> Bool {
        guard offer.vCPU >= vCPU, offer.memoryGB >= memoryGB else { return false }
        guard let gpu else { return true }
        guard let offered = offer.gpu, offered.count >= gpu.count else { return false }
        return gpu.model.map { $0.lowercased() == offered.model.lowercased() } ?? true
    }

    /// "4 vCPU / 16 GB", "4 vCPU / 16 GB / 1 × T4 GPU".
    public var description: String {
        let memory = memoryGB == memoryGB.rounded() && memoryGB < 1e15 ? String(Int64(memoryGB)) : String(memoryGB)
        return "\(vCPU) vCPU / \(memory) GB" + (gpu.map { " / \($0)" } ?? "")
    }
}

/// GPUs an offer must have; `model` nil accepts any accelerator.
public struct GPURequirement: Sendable, Hashable, Codable, CustomStringConvertible {
    public var count: Int
    public var model: String?

    public init(count: Int = 1, model: String? = nil) {
        self.count = count
        self.model = model
    }

    public var description: String { "\(count) × \(model ?? "any") GPU" }
}
