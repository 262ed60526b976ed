/// NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002) for two objectives with constraints:
/// fast non-dominated sort under constrained domination, crowding distance, binary tournament,
/// the problem's crossover and mutation, and elitist (μ + λ) survival.
///
/// The population's best front can lose points when crowding truncates it (NSGA-II alone is
/// not hypervolume-monotone), so the run also keeps an archive of every feasible non-dominated
/// solution it has evaluated. The archive is what is reported: adding a point to a
/// non-dominated set never shrinks the area it dominates, so hypervolume per generation is
/// non-decreasing by construction. Everything is deterministic for a seed: the only randomness
/// is one ``Xoshiro256StarStar``, and every tie is broken by position.
import SeededRandom
public struct NSGA2<Problem: EvolutionaryProblem>: Sendable {
    public var problem: Problem
    public var configuration: NSGA2Configuration

    public init(problem: Problem, configuration: NSGA2Configuration) {
        self.problem = problem
        self.configuration = configuration
    }

    typealias Member = NSGA2Run<Problem.Genome>.Member

    public func run() throws(PlacementError) -> NSGA2Run<Problem.Genome> {
        try configuration.validate()
        var generator = Xoshiro256StarStar(seed: configuration.seed)
        let reference = configuration.referencePoint ?? problem.referencePoint
        let size = configuration.populationSize
        var evaluations = 0
        func evaluated(_ genomes: [Problem.Genome]) -> [Member] {
            evaluations += genomes.count
            return genomes.map { Member(genome: $0, fitness: problem.evaluate($0)) }
        }

        var population = evaluated((0..<size).map { _ in problem.randomGenome(using: &generator) })
        var archive = Self.updatedArchive([], with: population)
        var history = [Hypervolume.of(archive.map(\.fitness.objectives), reference: reference)]
        var ranking = Self.survivors(of: population, count: size)
        population = ranking.members

        for _ in 0..<configuration.generations {
            var children: [Problem.Genome] = []
            children.reserveCapacity(size + 1)
            while children.count < size {
                let first = population[Self.tournament(ranking, using: &generator)].genome
                let second = population[Self.tournament(ranking, using: &generator)].genome
                var (a, b) = generator.nextUnitDouble() < configuration.crossoverProbability
                    ? problem.crossover(first, second, using: &generator) : (first, second)
                problem.mutate(&a, rate: configuration.mutationRate, using: &generator)
                problem.mutate(&b, rate: configuration.mutationRate, using: &generator)
                children.append(a)
                if children.count < size { children.append(b) }
            }
            let offspring = evaluated(children)
            archive = Self.updatedArchive(archive, with: offspring)
            history.append(Hypervolume.of(archive.map(\.fitness.objectives), reference: reference))
            ranking = Self.survivors(of: population + offspring, count: size)
            population = ranking.members
        }
        return NSGA2Run(front: archive, hypervolumeHistory: history, referencePoint: reference, evaluations: evaluations)
    }

    // MARK: - Survival

    struct Ranking {
        var members: [Member]
        var rank: [Int]
        var crowding: [Double]
    }

    /// Elitist survival: whole fronts in rank order, the last one cut by crowding distance
    /// (largest first; ties keep the earlier member).
    static func survivors(of pool: [Member], count: Int) -> Ranking {
        var result = Ranking(members: [], rank: [], crowding: [])
        for (rank, front) in nonDominatedFronts(pool.map(\.fitness)).enumerated() {
            let distances = crowdingDistances(front.map { pool[$0].fitness.objectives })
            var order = Array(front.indices)
            if result.members.count + front.count > count {
                order.sort { (distances[$0], -$0) > (distances[$1], -$1) }
                order = Array(order.prefix(count - result.members.count))
            }
            for position in order {
                result.members.append(pool[front[position]])
                result.rank.append(rank)
                result.crowding.append(distances[position])
            }
            if result.members.count == count { break }
        }
        return result
    }

    /// Deb's fast non-dominated sort, O(M N²), under constrained domination. Fronts hold
    /// indices into `fitness`, each in ascending order.
    static func nonDominatedFronts(_ fitness: [Fitness]) -> [[Int]] {
        var dominated = [[Int]](repeating: [], count: fitness.count)
        var dominators = [Int](repeating: 0, count: fitness.count)
        var current: [Int] = []
        for p in fitness.indices {
            for q in fitness.indices where q != p {
                if fitness[p].constrainedDominates(fitness[q]) {
                    dominated[p].append(q)
                } else if fitness[q].constrainedDominates(fitness[p]) {
                    dominators[p] += 1
                }
            }
            if dominators[p] == 0 { current.append(p) }
        }
        var fronts: [[Int]] = []
        while !current.isEmpty {
            fronts.append(current)
            var next: [Int] = []
            for p in current {
                for q in dominated[p] {
                    dominators[q] -= 1
                    if dominators[q] == 0 { next.append(q) }
                }
            }
            current = next.sorted()
        }
        return fronts
    }

    /// Crowding distance within one front: boundary points get infinity; interior points the
    /// sum over objectives of the normalised gap between their neighbours.
    static func crowdingDistances(_ points: [ObjectivePoint]) -> [Double] {
        guard points.count > 2 else { return [Double](repeating: .infinity, count: points.count) }
        var distance = [Double](repeating: 0, count: points.count)
        for values in [points.map(\.cost), points.map(\.time)] {
            let order = values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
            let low = values[order[0]], high = values[order[order.count - 1]]
            distance[order[0]] = .infinity
            distance[order[order.count - 1]] = .infinity
            guard high > low else { continue }
            for position in 1..<(order.count - 1) {
                distance[order[position]] += (values[order[position + 1]] - values[order[position - 1]]) / (high - low)
            }
        }
        return distance
    }

    /// Binary tournament: lower rank wins, then larger crowding distance, then the first drawn.
    static func tournament(_ ranking: Ranking, using generator: inout Xoshiro256StarStar) -> Int {
        let a = generator.next(below: ranking.members.count)
        let b = generator.next(below: ranking.members.count)
        if ranking.rank[b] < ranking.rank[a] { return b }
        if ranking.rank[b] == ranking.rank[a], ranking.crowding[b] > ranking.crowding[a] { return b }
        return a
    }

    // MARK: - Archive

    /// Feasible non-dominated members of archive ∪ newcomers, one per objective vector (the one
    /// seen first wins, so earlier archive entries are stable), cheapest first.
    static func updatedArchive(_ archive: [Member], with newcomers: [Member]) -> [Member] {
        let pool = archive + newcomers.filter(\.fitness.isFeasible)
        var kept: [Member] = []
        for index in ParetoFront.nonDominatedIndices(pool.map(\.fitness.objectives)) {
            if let last = kept.last, last.fitness.objectives == pool[index].fitness.objectives { continue }
            kept.append(pool[index])
        }
        return kept
    }
}
