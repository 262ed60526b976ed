/// A two-objective minimisation problem that ``NSGA2`` can solve: it owns its encoding and the
/// variation operators suited to it; the engine owns selection, survival and bookkeeping.
import SeededRandom
public protocol EvolutionaryProblem: Sendable {
    associatedtype Genome: Hashable, Sendable

    func randomGenome(using generator: inout Xoshiro256StarStar) -> Genome
    func crossover(
        _ first: Genome, _ second: Genome, using generator: inout Xoshiro256StarStar
    ) -> (Genome, Genome)
    /// Mutates each gene with probability `rate` (nil: the problem's default, usually 1/length).
    func mutate(_ genome: inout Genome, rate: Double?, using generator: inout Xoshiro256StarStar)
    func evaluate(_ genome: Genome) -> Fitness
    /// A point no worse than every feasible solution in both objectives, known before the run,
    /// so hypervolumes of different generations are measured against the same corner.
    var referencePoint: ObjectivePoint { get }
}
