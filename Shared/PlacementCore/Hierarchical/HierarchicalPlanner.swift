/// Places k regional aggregators and one global aggregator with ``NSGA2``.
public struct HierarchicalPlanner: Sendable {
    public let catalogue: CloudCatalogue
    public let costModel: CostModel
    public let timeModel: RoundTimeModel

    public init(catalogue: CloudCatalogue, transfer: TransferModel = .default, hoursPerMonth: Double = 730) {
        self.catalogue = catalogue
        costModel = CostModel(egress: catalogue.egress, hoursPerMonth: hoursPerMonth)
        timeModel = RoundTimeModel(latency: catalogue.latency, transfer: transfer)
    }

    public func optimise(
        _ request: HierarchicalRequest, configuration: NSGA2Configuration = NSGA2Configuration()
    ) throws(PlacementError) -> HierarchicalResult {
        let (problem, excluded) = try problemAndExclusions(for: request)
        let run = try NSGA2(problem: problem, configuration: configuration).run()
        return HierarchicalResult(
            front: run.front.map { problem.placement($0.genome) }, hypervolume: run.hypervolume,
            hypervolumeHistory: run.hypervolumeHistory, referencePoint: run.referencePoint,
            evaluations: run.evaluations, candidateRegions: problem.candidates.map(\.region.id),
            excludedRegions: excluded)
    }

    /// The precomputed problem, for callers (and tests) that evaluate placements themselves.
    public func problem(for request: HierarchicalRequest) throws(PlacementError) -> HierarchicalProblem {
        try problemAndExclusions(for: request).0
    }

    /// Candidate regions: region rules pass, some offer meets the size rules (the cheapest such
    /// offer is the site; ties keep catalogue order), latency known to every participant and to
    /// every other candidate. Missing candidate-to-candidate pairs are resolved by dropping the
    /// candidate with the most missing pairs (the later one on ties) until none is missing.
    private func problemAndExclusions(
        for request: HierarchicalRequest
    ) throws(PlacementError) -> (HierarchicalProblem, [ExclusionCount]) {
        try request.validate()
        var cheapest: [RegionID: InstanceOffer] = [:]
        var reasons: [RegionID: Infeasibility.Kind] = [:]
        for offer in catalogue.offers {
            let region = offer.region.id
            if let violation = request.constraints.offerViolation(offer) {
                // Remember one reason per region in case no offer there qualifies.
                if reasons[region] == nil || violation.kind == .tooLittleMemory { reasons[region] = violation.kind }
                continue
            }
            if let current = cheapest[region], current.hourlyUSD <= offer.hourlyUSD { continue }
            cheapest[region] = offer
        }
        var excluded: [Infeasibility.Kind] = reasons.keys.filter { cheapest[$0] == nil }.sorted().map { reasons[$0]! }
        var candidates: [InstanceOffer] = []
        for region in cheapest.keys.sorted() {
            let reachesAll = request.workload.participants.allSatisfy {
                timeModel.latency.rttMilliseconds(between: region, and: $0) != nil
            }
            if reachesAll { candidates.append(cheapest[region]!) } else { excluded.append(.latencyUnknown) }
        }
        while true {
            let missing = candidates.map { a in
                candidates.count { b in timeModel.latency.rttMilliseconds(between: a.region.id, and: b.region.id) == nil }
            }
            guard let worst = missing.max(), worst > 0 else { break }
            candidates.remove(at: missing.lastIndex(of: worst)!)
            excluded.append(.latencyUnknown)
        }
        let exclusions = ExclusionCount.tally(excluded)
        guard !candidates.isEmpty else { throw .noCandidateRegion(exclusions: exclusions) }
        let problem = HierarchicalProblem(
            candidates: candidates, workload: request.workload, regionalCount: request.regionalCount,
            constraints: request.constraints, cost: costModel, time: timeModel)
        return (problem, exclusions)
    }
}
