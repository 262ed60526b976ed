/// The accelerators attached to an instance type.
public struct GPUSpec: Sendable, Hashable, Codable {
    /// Accelerator model as the provider names it ("T4", "A100", "L4").
    public var model: String
    public var count: Int

    public init(model: String, count: Int) {
        self.model = model
        self.count = count
    }
}
