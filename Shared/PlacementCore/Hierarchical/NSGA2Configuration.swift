/// Settings of one NSGA-II run. The seed fully determines the result.
public struct NSGA2Configuration: Sendable, Hashable {
    public var populationSize: Int
    public var generations: Int
    /// Probability that a pair of parents is recombined (otherwise copied) before mutation.
    public var crossoverProbability: Double
    /// Per-gene mutation probability; nil = 1 / genome length.
    public var mutationRate: Double?
    public var seed: UInt64
    /// Hypervolume reference point; nil = the problem's own bound.
    public var referencePoint: ObjectivePoint?

    public init(
        populationSize: Int = 100, generations: Int = 200, crossoverProbability: Double = 0.9,
        mutationRate: Double? = nil, seed: UInt64 = 0, referencePoint: ObjectivePoint? = nil
    ) {
        self.populationSize = populationSize
        self.generations = generations
        self.crossoverProbability = crossoverProbability
        self.mutationRate = mutationRate
        self.seed = seed
        self.referencePoint = referencePoint
    }

    func validate() throws(PlacementError) {
        guard populationSize >= 2 else {
            throw .invalidConfiguration(field: "populationSize", value: "\(populationSize)", requirement: ">= 2")
        }
        guard generations >= 0 else {
            throw .invalidConfiguration(field: "generations", value: "\(generations)", requirement: ">= 0")
        }
        guard (0...1).contains(crossoverProbability) else {
            throw .invalidConfiguration(field: "crossoverProbability", value: "\(crossoverProbability)", requirement: "in [0, 1]")
        }
        if let rate = mutationRate, !(0...1).contains(rate) {
            throw .invalidConfiguration(field: "mutationRate", value: "\(rate)", requirement: "in [0, 1]")
        }
    }
}
