/// Hierarchical placement as an ``EvolutionaryProblem``: one global aggregator, k regional
/// aggregators, every participant assigned to one regional aggregator.
///
/// Per round: the global model goes global → each used regional aggregator → its participants,
/// and updates come back participant → regional → global (one aggregated update per regional
/// aggregator). Each hop is one exchange of ``RoundTimeModel`` and is billed as in
/// ``CostModel``: downward by the sender aggregator, the participant's upload by the participant,
/// the regional aggregate's upload by that (federation-owned) regional aggregator. A regional
/// aggregator with no participant still costs its instance but exchanges nothing.
///
/// Objectives: total monthly cost (k + 1 instances + egress), and round time = max over
/// participants of (participant ↔ regional exchange + regional ↔ global exchange).
/// Everything pairwise is precomputed into flat arrays, so an evaluation is O(k + P).
import SeededRandom
public struct HierarchicalProblem: EvolutionaryProblem {
    public typealias Genome = HierarchicalGenome

    /// One aggregator site per candidate region: its cheapest offer that meets the size rules.
    public let candidates: [InstanceOffer]
    public let participants: [RegionID]
    public let regionalCount: Int
    public let constraints: PlacementConstraints
    public let referencePoint: ObjectivePoint

    /// Probability per mutation of re-assigning every participant greedily (to its fastest or
    /// its cheapest slot, half each): a domain-specific move that repairs assignments after the
    /// regions they pointed at have mutated or crossed over.
    public let greedyReassignmentProbability = 0.1

    let instanceUSD: [Double]
    /// [p * C + c]: participant p with its regional aggregator in candidate c.
    let legSeconds: [Double]
    let legAggregatorUSD: [Double]
    let legParticipantUSD: [Double]
    /// [r * C + g]: regional aggregator in r with the global one in g (all aggregator-billed).
    let backboneSeconds: [Double]
    let backboneUSD: [Double]

    init(
        candidates: [InstanceOffer], workload: FederationWorkload, regionalCount: Int,
        constraints: PlacementConstraints, cost: CostModel, time: RoundTimeModel
    ) {
        let c = candidates.count
        let rounds = workload.schedule.roundsPerMonth(hoursPerMonth: cost.hoursPerMonth)
        let down = workload.modelBytes, up = workload.updateBytes
        self.candidates = candidates
        participants = workload.participants
        self.regionalCount = regionalCount
        self.constraints = constraints
        instanceUSD = candidates.map(cost.instanceMonthlyUSD)
        let sites = candidates.map(\.region.id)
        var legSeconds = [Double](), legAggregatorUSD = [Double](), legParticipantUSD = [Double]()
        for participant in workload.participants {
            for site in sites {
                // Candidates were filtered to have latency to every participant.
                legSeconds.append(time.exchangeSeconds(between: site, and: participant, downBytes: down, upBytes: up)!)
                let usd = cost.exchangeUSD(server: site, client: participant, downBytes: down, upBytes: up)
                legAggregatorUSD.append(usd.server * rounds)
                legParticipantUSD.append(usd.client * rounds)
            }
        }
        var backboneSeconds = [Double](), backboneUSD = [Double]()
        for regional in sites {
            for global in sites {
                backboneSeconds.append(time.exchangeSeconds(between: global, and: regional, downBytes: down, upBytes: up)!)
                let usd = cost.exchangeUSD(server: global, client: regional, downBytes: down, upBytes: up)
                backboneUSD.append((usd.server + usd.client) * rounds)
            }
        }
        self.legSeconds = legSeconds
        self.legAggregatorUSD = legAggregatorUSD
        self.legParticipantUSD = legParticipantUSD
        self.backboneSeconds = backboneSeconds
        self.backboneUSD = backboneUSD

        // Reference point: 10 % beyond an upper bound of every feasible solution, fixed before
        // the run. Bound: k + 1 of the dearest instance, the dearest backbone for each slot, the
        // dearest leg for each participant; the slowest leg plus the slowest backbone hop.
        let p = workload.participants.count
        var costBound = Double(regionalCount + 1) * (instanceUSD.max() ?? 0)
            + Double(regionalCount) * (backboneUSD.max() ?? 0)
        for participant in 0..<p {
            costBound += (0..<c).map { legAggregatorUSD[participant * c + $0] + legParticipantUSD[participant * c + $0] }.max() ?? 0
        }
        var timeBound = (legSeconds.max() ?? 0) + (backboneSeconds.max() ?? 0)
        if let limit = constraints.maxMonthlyCostUSD { costBound = min(costBound, limit) }
        if let limit = constraints.maxRoundTimeSeconds { timeBound = min(timeBound, limit) }
        referencePoint = ObjectivePoint(cost: costBound * 1.1, time: timeBound * 1.1)
    }

    // MARK: - Evaluation

    public func evaluate(_ genome: Genome) -> Fitness {
        let (cost, time) = measure(genome)
        let objectives = ObjectivePoint(cost: cost.totalUSD, time: time.seconds)
        return Fitness(objectives: objectives, violation: violation(objectives))
    }

    /// Cost breakdown and round time of a genome.
    public func measure(_ genome: Genome) -> (CostBreakdown, RoundTime) {
        let c = candidates.count, g = genome.global
        var instances = instanceUSD[g]
        for site in genome.regional { instances += instanceUSD[site] }
        var aggregatorEgress = 0.0, participantEgress = 0.0
        var used = [Bool](repeating: false, count: regionalCount)
        var slowest = (seconds: -Double.infinity, participant: 0)
        for (p, slot) in genome.assignment.enumerated() {
            let site = genome.regional[slot]
            used[slot] = true
            aggregatorEgress += legAggregatorUSD[p * c + site]
            participantEgress += legParticipantUSD[p * c + site]
            let seconds = legSeconds[p * c + site] + backboneSeconds[site * c + g]
            if seconds > slowest.seconds { slowest = (seconds, p) }
        }
        for (slot, site) in genome.regional.enumerated() where used[slot] {
            aggregatorEgress += backboneUSD[site * c + g]
        }
        return (
            CostBreakdown(instanceUSD: instances, aggregatorEgressUSD: aggregatorEgress, participantEgressUSD: participantEgress),
            RoundTime(seconds: slowest.seconds, bottleneck: participants[slowest.participant])
        )
    }

    /// Sum of relative excesses over the cost and round-time limits; 0 when both hold.
    func violation(_ point: ObjectivePoint) -> Double {
        func excess(_ value: Double, _ limit: Double?) -> Double {
            guard let limit, value > limit else { return 0 }
            return limit > 0 ? (value - limit) / limit : value - limit
        }
        return excess(point.cost, constraints.maxMonthlyCostUSD) + excess(point.time, constraints.maxRoundTimeSeconds)
    }

    public func placement(_ genome: Genome) -> HierarchicalPlacement {
        let (cost, time) = measure(genome)
        return HierarchicalPlacement(
            global: candidates[genome.global], regional: genome.regional.map { candidates[$0] },
            assignment: genome.assignment, cost: cost, roundTime: time, genome: genome)
    }

    // MARK: - Variation

    /// Random regions; the assignment is random for half the genomes and fastest-slot for the
    /// other half, so the first population already holds sensible trees.
    public func randomGenome(using generator: inout Xoshiro256StarStar) -> Genome {
        var genome = Genome(
            global: generator.next(below: candidates.count),
            regional: (0..<regionalCount).map { _ in generator.next(below: candidates.count) },
            assignment: participants.indices.map { _ in generator.next(below: regionalCount) })
        if generator.nextUnitDouble() < 0.5 { reassign(&genome, byTime: true) }
        return genome
    }

    /// Uniform crossover on every gene. Slots keep their meaning across parents (slot j is
    /// "the j-th regional aggregator"), so an assignment gene stays valid whatever it meets.
    public func crossover(_ first: Genome, _ second: Genome, using generator: inout Xoshiro256StarStar) -> (Genome, Genome) {
        var a = first, b = second
        if generator.nextUnitDouble() < 0.5 { swap(&a.global, &b.global) }
        for slot in 0..<regionalCount where generator.nextUnitDouble() < 0.5 {
            swap(&a.regional[slot], &b.regional[slot])
        }
        for p in participants.indices where generator.nextUnitDouble() < 0.5 {
            swap(&a.assignment[p], &b.assignment[p])
        }
        return (a, b)
    }

    /// Reset mutation per gene (a new random region or slot), then occasionally a greedy
    /// re-assignment of all participants.
    public func mutate(_ genome: inout Genome, rate: Double?, using generator: inout Xoshiro256StarStar) {
        let rate = rate ?? 1 / Double(1 + regionalCount + participants.count)
        if generator.nextUnitDouble() < rate { genome.global = generator.next(below: candidates.count) }
        for slot in 0..<regionalCount where generator.nextUnitDouble() < rate {
            genome.regional[slot] = generator.next(below: candidates.count)
        }
        for p in participants.indices where generator.nextUnitDouble() < rate {
            genome.assignment[p] = generator.next(below: regionalCount)
        }
        if generator.nextUnitDouble() < greedyReassignmentProbability {
            reassign(&genome, byTime: generator.nextUnitDouble() < 0.5)
        }
    }

    /// Each participant to the slot with the fastest path to the global aggregator, or with
    /// the cheapest leg; ties go to the lower slot.
    func reassign(_ genome: inout Genome, byTime: Bool) {
        let c = candidates.count
        for p in participants.indices {
            var best = (slot: 0, score: Double.infinity)
            for (slot, site) in genome.regional.enumerated() {
                let score = byTime
                    ? legSeconds[p * c + site] + backboneSeconds[site * c + genome.global]
                    : legAggregatorUSD[p * c + site] + legParticipantUSD[p * c + site]
                if score < best.score { best = (slot, score) }
            }
            genome.assignment[p] = best.slot
        }
    }
}
