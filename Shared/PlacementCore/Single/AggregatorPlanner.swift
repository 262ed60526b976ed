/// Places one aggregator: the exact Pareto front of (monthly cost, round time) over every
/// feasible (provider, region, instance type) in the catalogue — full enumeration, no heuristic.
///
/// Every offer is checked and priced; the front is then the exact sort-and-sweep of
/// ``ParetoFront``. Cost: O(R·P) to profile the R regions for the P distinct participant
/// regions (round time and egress depend on the region only, see ``TransferModel``), O(n) to
/// price the n offers, O(m log m) to sort and sweep the m ≤ n contenders. Contenders are each
/// region's cheapest feasible offers (ties included): every offer of a region has that region's
/// round time, so a dearer offer there is dominated by the cheapest one and cannot be on the
/// front. The result equals the sweep over all feasible offers; the shortcut only saves the sort.
import SeededRandom
public struct AggregatorPlanner: Sendable {
    public let catalogue: CloudCatalogue
    public let costModel: CostModel
    public let timeModel: RoundTimeModel
    /// Distinct regions of the catalogue's offers (first-appearance order) and, per offer, the
    /// index of its region: built once, so planning hashes no region names per offer.
    private let regions: [Region]
    private let offerRegion: [Int]

    public init(catalogue: CloudCatalogue, transfer: TransferModel = .default, hoursPerMonth: Double = 730) {
        self.catalogue = catalogue
        costModel = CostModel(egress: catalogue.egress, hoursPerMonth: hoursPerMonth)
        timeModel = RoundTimeModel(latency: catalogue.latency, transfer: transfer)
        var regions: [Region] = [], indexOf: [RegionID: Int] = [:]
        offerRegion = catalogue.offers.map { offer in
            if let index = indexOf[offer.region.id] { return index }
            indexOf[offer.region.id] = regions.count
            regions.append(offer.region)
            return regions.count - 1
        }
        self.regions = regions
    }

    /// The modelled cost and round time of one offer, ignoring constraints.
    public func evaluate(
        _ offer: InstanceOffer, for workload: FederationWorkload
    ) -> Result<PlacementOption, Infeasibility> {
        profile(of: offer.region.id, for: workload, SiteProfile.group(workload.participants)).map { option(offer, $0) }
    }

    public func plan(_ request: PlacementRequest) throws(PlacementError) -> PlacementReport {
        try request.validate()
        let workload = request.workload, constraints = request.constraints
        let clients = SiteProfile.group(workload.participants)
        // Most participants; ties go to the region named first (groups keep first-appearance order).
        let mode = clients[clients.indices.reduce(0) { clients[$1].count > clients[$0].count ? $1 : $0 }].region
        let modeIndex = regions.firstIndex { $0.id == mode }
        // Only the cheapest offers of a region can be on the front: all offers in a region share
        // its round time (see TransferModel). Tracking each region's minimum cost lets the sweep
        // sort a few dozen points instead of thousands; drop this if instance bandwidth is modelled.
        var cheapestInRegion = [Double](repeating: .infinity, count: regions.count)
        // Per region: the region rule it breaks, else its profile (computed on first use).
        let regionViolations = regions.map(constraints.regionViolation)
        var profiles = [Result<SiteProfile, Infeasibility>?](repeating: nil, count: regions.count)
        var feasible: [Int] = []
        var points: [ObjectivePoint] = []
        var excluded: [Infeasibility.Kind] = []
        var excludedInMode: [Infeasibility.Kind] = []
        var offersInMode = 0
        for (index, offer) in catalogue.offers.enumerated() {
            let region = offerRegion[index]
            let outcome = check(offer, region, regionViolations[region], constraints, workload, clients, &profiles)
            let inMode = region == modeIndex
            if inMode { offersInMode += 1 }
            switch outcome {
            case let .success(point):
                feasible.append(index)
                points.append(point)
                cheapestInRegion[region] = min(cheapestInRegion[region], point.cost)
            case let .failure(reason):
                excluded.append(reason.kind)
                if inMode { excludedInMode.append(reason.kind) }
            }
        }
        func materialise(_ position: Int) -> PlacementOption {
            let index = feasible[position]
            // Only feasible offers get here, so their region's profile exists and succeeded.
            guard case let .success(profile)? = profiles[offerRegion[index]] else {
                preconditionFailure("feasible offer without a region profile")
            }
            return option(catalogue.offers[index], profile)
        }

        let contenders = feasible.indices.filter { points[$0].cost == cheapestInRegion[offerRegion[feasible[$0]]] }
        let front = ParetoFront.nonDominatedIndices(contenders.map { points[$0] }).map { materialise(contenders[$0]) }
        let frontPoints = front.map(\.objectives)
        let recommended = FrontSelection.weighted(frontPoints, preference: request.preference).map { front[$0] }
        let knee = FrontSelection.knee(frontPoints).map { front[$0] }

        let modePositions = feasible.indices.filter { offerRegion[feasible[$0]] == modeIndex }
        let baselines = [
            cheapestInstanceBaseline(feasible, points, materialise),
            randomBaseline(seed: request.baselineSeed, feasible.count, materialise),
            mostCommonRegionBaseline(
                mode, modePositions, points, offersInMode: offersInMode, excludedInMode: excludedInMode, materialise),
        ]
        var report = PlacementReport(
            front: front, preference: request.preference, recommended: recommended, knee: knee,
            baselines: baselines, savings: [], evaluatedOffers: catalogue.offers.count,
            feasibleOffers: feasible.count, exclusions: ExclusionCount.tally(excluded),
            roundsPerMonth: roundsPerMonth(workload))
        for point in SelectedPoint.allCases {
            guard let chosen = report.selected(point) else { continue }
            for baseline in baselines {
                guard let reference = baseline.option else { continue }
                report.savings.append(Savings(point: point, chosen: chosen, baseline: baseline.kind, against: reference))
            }
        }
        return report
    }

    // MARK: - Evaluation

    private func roundsPerMonth(_ workload: FederationWorkload) -> Double {
        workload.schedule.roundsPerMonth(hoursPerMonth: costModel.hoursPerMonth)
    }

    private func profile(
        of region: RegionID, for workload: FederationWorkload, _ clients: [(region: RegionID, count: Int)]
    ) -> Result<SiteProfile, Infeasibility> {
        SiteProfile.make(
            site: region, clients: clients, downBytes: workload.modelBytes,
            upBytes: workload.updateBytes, roundsPerMonth: roundsPerMonth(workload), cost: costModel,
            time: timeModel)
    }

    private func option(_ offer: InstanceOffer, _ profile: SiteProfile) -> PlacementOption {
        PlacementOption(
            offer: offer,
            cost: CostBreakdown(
                instanceUSD: costModel.instanceMonthlyUSD(offer),
                aggregatorEgressUSD: profile.aggregatorEgressUSD,
                participantEgressUSD: profile.participantEgressUSD),
            roundTime: profile.roundTime)
    }

    /// Objectives of a feasible offer, or the first rule it breaks. Region profiles are
    /// computed lazily, once, and only for regions the region rules allow.
    private func check(
        _ offer: InstanceOffer, _ region: Int, _ regionViolation: Infeasibility?,
        _ constraints: PlacementConstraints, _ workload: FederationWorkload,
        _ clients: [(region: RegionID, count: Int)], _ profiles: inout [Result<SiteProfile, Infeasibility>?]
    ) -> Result<ObjectivePoint, Infeasibility> {
        if let regionViolation { return .failure(regionViolation) }
        if offer.vCPU < constraints.minVCPU { return .failure(.tooFewVCPU(have: offer.vCPU, need: constraints.minVCPU)) }
        if offer.memoryGB < constraints.minMemoryGB {
            return .failure(.tooLittleMemory(have: offer.memoryGB, need: constraints.minMemoryGB))
        }
        let result: Result<SiteProfile, Infeasibility>
        if let cached = profiles[region] {
            result = cached
        } else {
            result = profile(of: regions[region].id, for: workload, clients)
            profiles[region] = result
        }
        let profile: SiteProfile
        switch result {
        case let .success(computed): profile = computed
        case let .failure(reason): return .failure(reason)
        }
        let cost = costModel.instanceMonthlyUSD(offer) + profile.aggregatorEgressUSD + profile.participantEgressUSD
        if let violation = constraints.objectiveViolation(monthlyCostUSD: cost, roundTimeSeconds: profile.roundTime.seconds) {
            return .failure(violation)
        }
        return .success(ObjectivePoint(cost: cost, time: profile.roundTime.seconds))
    }

    // MARK: - Baselines

    private func cheapestInstanceBaseline(
        _ feasible: [Int], _ points: [ObjectivePoint], _ materialise: (Int) -> PlacementOption
    ) -> Baseline {
        let best = feasible.indices.min {
            let a = catalogue.offers[feasible[$0]].hourlyUSD, b = catalogue.offers[feasible[$1]].hourlyUSD
            return (a, points[$0].cost, points[$0].time, $0) < (b, points[$1].cost, points[$1].time, $1)
        }
        return Baseline(
            kind: .cheapestInstance,
            outcome: best.map { .option(materialise($0)) } ?? .notFeasible(.noFeasibleOption))
    }

    private func randomBaseline(seed: UInt64, _ count: Int, _ materialise: (Int) -> PlacementOption) -> Baseline {
        guard count > 0 else { return Baseline(kind: .seededRandom(seed: seed), outcome: .notFeasible(.noFeasibleOption)) }
        var generator = Xoshiro256StarStar(seed: seed)
        return Baseline(kind: .seededRandom(seed: seed), outcome: .option(materialise(generator.next(below: count))))
    }

    /// `positions`: the feasible offers in the most common participant region.
    private func mostCommonRegionBaseline(
        _ mode: RegionID, _ positions: [Int], _ points: [ObjectivePoint], offersInMode: Int,
        excludedInMode: [Infeasibility.Kind], _ materialise: (Int) -> PlacementOption
    ) -> Baseline {
        let kind = Baseline.Kind.mostCommonParticipantRegion(mode)
        if let best = positions.min(by: { (points[$0].cost, points[$0].time, $0) < (points[$1].cost, points[$1].time, $1) }) {
            return Baseline(kind: kind, outcome: .option(materialise(best)))
        }
        if offersInMode == 0 { return Baseline(kind: kind, outcome: .notFeasible(.noOffers(mode))) }
        return Baseline(kind: kind, outcome: .notFeasible(.allOffersExcluded(mode, ExclusionCount.tally(excludedInMode))))
    }
}
