import PropertyBased
import SeededRandom
import SharedDataSupport
@testable import PlacementCore
import Testing

/// The exact one-aggregator front against full enumeration with the reference model.
@Suite struct SinglePlacementTests {
    /// Every feasible option by full enumeration, with the planner's own numbers for each
    /// offer — after checking them against the reference model. Dominance is then judged on one
    /// set of numbers: the two implementations sum in a different order, and mixing them would
    /// turn exact ties into last-digit differences.
    static func bruteForce(
        _ catalogue: CloudCatalogue, _ request: PlacementRequest
    ) -> [(index: Int, point: ObjectivePoint)] {
        let planner = AggregatorPlanner(catalogue: catalogue)
        return catalogue.offers.enumerated().compactMap { index, offer in
            let reference = Reference.single(catalogue, offer, request.workload)
            guard case let .success(option) = planner.evaluate(offer, for: request.workload) else {
                #expect(reference == nil, "planner found no latency for \(offer), the reference did")
                return nil
            }
            guard let reference else {
                Issue.record("reference found no latency for \(offer), the planner did")
                return nil
            }
            #expect(Reference.close(reference.cost, option.objectives.cost), "\(offer)")
            #expect(Reference.close(reference.time, option.objectives.time), "\(offer)")
            guard Reference.meetsStaticRules(offer, request.constraints),
                Reference.withinLimits(option.objectives, request.constraints)
            else { return nil }
            return (index, option.objectives)
        }
    }

    /// Front = exactly the non-dominated feasible options: every front point is feasible and
    /// dominated by no feasible option; every feasible option is on the front or dominated by a
    /// front point; the selected points are front points.
    static func checkAgainstBruteForce(
        _ catalogue: CloudCatalogue, _ request: PlacementRequest, _ report: PlacementReport
    ) {
        let feasible = bruteForce(catalogue, request)
        #expect(report.feasibleOffers == feasible.count)
        let feasibleOffers = Set(feasible.map { catalogue.offers[$0.index] })
        for option in report.front {
            #expect(feasibleOffers.contains(option.offer), "front option \(option.offer) is not feasible")
            #expect(Reference.meetsStaticRules(option.offer, request.constraints))
            #expect(Reference.withinLimits(option.objectives, request.constraints))
            #expect(!feasible.contains { Reference.dominates($0.point, option.objectives) }, "front point \(option.offer) is dominated")
        }
        let frontPoints = report.front.map(\.objectives)
        let onFront = Set(report.front.map(\.offer))
        for (index, point) in feasible where !onFront.contains(catalogue.offers[index]) {
            #expect(frontPoints.contains { Reference.dominates($0, point) }, "\(catalogue.offers[index]) neither on nor dominated")
        }
        for point in SelectedPoint.allCases {
            if let chosen = report.selected(point) { #expect(report.front.contains(chosen)) }
        }
        for baseline in report.baselines {
            if let option = baseline.option { #expect(feasibleOffers.contains(option.offer), "baseline \(baseline.kind) is not feasible") }
        }
    }

    @Test func sharedScenarioFrontIsExact() throws {
        let catalogue = try SharedData.catalogue()
        let request = PlacementRequest(workload: Scenario.workload, constraints: Scenario.constraints, preference: 0.5)
        let report = try AggregatorPlanner(catalogue: catalogue).plan(request)
        #expect(report.front.count >= 2)
        Self.checkAgainstBruteForce(catalogue, request, report)
    }

    @Test func sharedScenarioWithEveryKindOfConstraint() throws {
        let catalogue = try SharedData.catalogue()
        let unconstrained = try AggregatorPlanner(catalogue: catalogue).plan(PlacementRequest(workload: Scenario.workload))
        // Limits taken from the data: the median front point's cost and time.
        let middle = unconstrained.front[unconstrained.front.count / 2].objectives
        let cases = [
            PlacementConstraints(maxMonthlyCostUSD: middle.cost, minVCPU: 8),
            PlacementConstraints(maxRoundTimeSeconds: middle.time, minMemoryGB: 32),
            PlacementConstraints(allowedProviders: [.gcp]),
            PlacementConstraints(residency: .europeanUnion),
            PlacementConstraints(residency: .continents([.asia])),
            PlacementConstraints(allowedRegions: [RegionID(.aws, "eu-west-1"), RegionID(.gcp, "us-east4")]),
            PlacementConstraints(maxMonthlyCostUSD: 0),
        ]
        for constraints in cases {
            let request = PlacementRequest(workload: Scenario.workload, constraints: constraints, preference: 0.3)
            let report = try AggregatorPlanner(catalogue: catalogue).plan(request)
            Self.checkAgainstBruteForce(catalogue, request, report)
            for option in report.front {
                #expect(option.offer.vCPU >= constraints.minVCPU)
                #expect(option.cost.totalUSD <= constraints.maxMonthlyCostUSD ?? .infinity)
                if constraints.residency == .europeanUnion {
                    #expect(["DE", "IE", "ES", "NL", "PL", "IT"].contains(option.offer.region.geography?.countryCode ?? "?"))
                }
            }
        }
    }

    @Test func selectedPointsAndBaselinesFollowTheirDefinitions() throws {
        let catalogue = try SharedData.catalogue()
        let request = PlacementRequest(workload: Scenario.workload, constraints: Scenario.constraints, baselineSeed: 11)
        let report = try AggregatorPlanner(catalogue: catalogue).plan(request)
        let feasible = Self.bruteForce(catalogue, request)
        let cheapest = feasible.map(\.point.cost).min()!, fastest = feasible.map(\.point.time).min()!
        #expect(report.costFirst?.objectives.cost == cheapest)
        #expect(report.latencyFirst?.objectives.time == fastest)

        // Baseline 1: lowest hourly price among feasible offers.
        let cheapestHourly = feasible.map { catalogue.offers[$0.index].hourlyUSD }.min()!
        let baseline = try #require(report.baselines.first { $0.kind == .cheapestInstance }?.option)
        #expect(baseline.offer.hourlyUSD == cheapestHourly)
        // Baseline 2: reproducible for its seed, and a feasible option.
        let random = try #require(report.baselines.first { $0.kind == .seededRandom(seed: 11) }?.option)
        #expect(feasible.contains { catalogue.offers[$0.index] == random.offer })
        let again = try AggregatorPlanner(catalogue: catalogue).plan(request)
        #expect(again.baselines == report.baselines)
        // Baseline 3: the region with most participants, its cheapest feasible option.
        let counts = Dictionary(Scenario.participants.map { ($0, 1) }, uniquingKeysWith: +)
        let mode = counts.max { $0.value < $1.value }!.key
        let local = try #require(report.baselines.first { $0.kind == .mostCommonParticipantRegion(mode) }?.option)
        let localCheapest = feasible.filter { catalogue.offers[$0.index].region.id == mode }.map(\.point.cost).min()
        #expect(local.objectives.cost == localCheapest)

        // Savings are baseline minus chosen, for every selected point and baseline.
        #expect(report.savings.count == SelectedPoint.allCases.count * 3)
        for saving in report.savings {
            let chosen = report.selected(saving.point)!
            let reference = report.baselines.first { $0.kind == saving.baseline }!.option!
            #expect(saving.costUSD == reference.objectives.cost - chosen.objectives.cost)
            #expect(Reference.close(saving.roundTimePercent, (reference.roundTime.seconds - chosen.roundTime.seconds) / reference.roundTime.seconds * 100))
        }
        // The cheapest front point never costs more than any baseline; the fastest is never slower.
        for baseline in report.baselines.compactMap(\.option) {
            #expect(report.costFirst!.objectives.cost <= baseline.objectives.cost)
            #expect(report.latencyFirst!.objectives.time <= baseline.objectives.time)
        }
    }

    @Test func mostCommonRegionBaselineSaysWhyItIsNotFeasible() throws {
        let catalogue = try SharedData.catalogue()
        let tokyo = RegionID(.aws, "ap-northeast-1")
        var workload = Scenario.workload
        workload.participants += [tokyo, tokyo]
        let priceless = try AggregatorPlanner(catalogue: catalogue).plan(PlacementRequest(workload: workload))
        #expect(priceless.baselines.last?.outcome == .notFeasible(.noOffers(tokyo)))

        let onlyGCP = try AggregatorPlanner(catalogue: catalogue).plan(
            PlacementRequest(workload: Scenario.workload, constraints: PlacementConstraints(allowedProviders: [.gcp])))
        let frankfurt = RegionID(.aws, "eu-central-1")
        let offersThere = catalogue.offers.count { $0.region.id == frankfurt }
        #expect(onlyGCP.baselines.last?.outcome
            == .notFeasible(.allOffersExcluded(frankfurt, [ExclusionCount(kind: .providerNotAllowed, count: offersThere)])))
    }

    @Test func nothingFeasibleGivesAnEmptyFrontNotAnError() throws {
        let catalogue = try SharedData.catalogue()
        let report = try AggregatorPlanner(catalogue: catalogue).plan(
            PlacementRequest(workload: Scenario.workload, constraints: PlacementConstraints(minVCPU: 100_000)))
        #expect(report.front.isEmpty && report.recommended == nil && report.knee == nil)
        #expect(report.baselines[0].outcome == .notFeasible(.noFeasibleOption))
        #expect(report.exclusions == [ExclusionCount(kind: .tooFewVCPU, count: catalogue.offers.count)])
    }

    @Test func fiftyParticipantsAcrossAllLatencyRegions() throws {
        let catalogue = try SharedData.catalogue()
        let regions = catalogue.latency.regions
        let workload = FederationWorkload(
            participants: (0..<50).map { regions[$0 % regions.count] }, modelBytes: 25e6, schedule: .roundsPerMonth(300))
        let request = PlacementRequest(workload: workload, constraints: PlacementConstraints(minVCPU: 4, minMemoryGB: 16))
        let report = try AggregatorPlanner(catalogue: catalogue).plan(request)
        Self.checkAgainstBruteForce(catalogue, request, report)
    }

    @Test func badRequestsAreTypedErrors() throws {
        let planner = AggregatorPlanner(catalogue: DefaultCatalogue.catalogue)
        #expect(throws: PlacementError.preferenceOutOfRange(1.5)) {
            try planner.plan(PlacementRequest(workload: Scenario.workload, preference: 1.5))
        }
        #expect(throws: PlacementError.noParticipants) {
            try planner.plan(PlacementRequest(workload: FederationWorkload(participants: [], modelBytes: 1, schedule: .roundsPerMonth(1))))
        }
        #expect(throws: PlacementError.invalidSchedule(.interval(seconds: 0))) {
            try planner.plan(PlacementRequest(workload: FederationWorkload(
                participants: Scenario.participants, modelBytes: 1, schedule: .interval(seconds: 0))))
        }
    }

    // MARK: - Random catalogues

    /// A random catalogue: 2–6 regions over all providers with random offers and latencies,
    /// participants in those regions, random limits.
    struct RandomCase: Sendable, CustomStringConvertible {
        let catalogue: CloudCatalogue
        let request: PlacementRequest
        var description: String { "\(catalogue.offers.count) offers, \(request.workload.participants), \(request.constraints)" }

        init(seed: UInt64) {
            var g = Xoshiro256StarStar(seed: seed)
            let names = ["r0", "r1", "r2", "r3", "r4", "r5"]
            let regions = (0..<(2 + g.next(below: 5))).map { i in
                Region(RegionID(Provider.allCases[g.next(below: 4)], names[i]),
                       geography: Geography(continent: Continent.allCases[g.next(below: 3)], countryCode: ["DE", "US", "JP"][g.next(below: 3)]))
            }
            var latency = LatencyMatrix()
            for a in regions {
                for b in regions where a.id < b.id { latency.record(a.id, b.id, rttMilliseconds: Double(1 + g.next(below: 300))) }
            }
            var offers: [InstanceOffer] = []
            for region in regions {
                for t in 0..<g.next(below: 8) {
                    // Coarse prices so exact ties happen.
                    offers.append(InstanceOffer(region: region, instanceType: "t\(t)", vCPU: 1 << g.next(below: 5),
                                                memoryGB: Double(1 << g.next(below: 7)), hourlyUSD: Double(1 + g.next(below: 6)) / 20))
                }
            }
            catalogue = CloudCatalogue(offers: offers, egress: .approximateDefaults, latency: latency)
            let participants = (0..<(1 + g.next(below: 6))).map { _ in regions[g.next(below: regions.count)].id }
            let workload = FederationWorkload(participants: participants, modelBytes: Double(g.next(below: 500)) * 1e6,
                                              schedule: .roundsPerMonth(Double(g.next(below: 1000))))
            let constraints = PlacementConstraints(
                maxMonthlyCostUSD: g.next(below: 3) == 0 ? Double(50 + g.next(below: 300)) : nil,
                maxRoundTimeSeconds: g.next(below: 3) == 0 ? Double(1 + g.next(below: 30)) : nil,
                minVCPU: g.next(below: 3) == 0 ? 4 : 0, minMemoryGB: g.next(below: 3) == 0 ? 16 : 0,
                allowedProviders: g.next(below: 3) == 0 ? [.aws, .gcp] : nil,
                residency: g.next(below: 3) == 0 ? .countries(["DE"]) : .anywhere)
            request = PlacementRequest(workload: workload, constraints: constraints, preference: g.nextUnitDouble(), baselineSeed: g.next())
        }
    }

    @Test func randomCataloguesFrontIsExact() async {
        await propertyCheck(count: 150, input: Gen.uint64(in: 0...UInt64.max).map(RandomCase.init)) { random in
            do {
                let report = try AggregatorPlanner(catalogue: random.catalogue).plan(random.request)
                Self.checkAgainstBruteForce(random.catalogue, random.request, report)
            } catch {
                Issue.record("plan failed: \(error)")
            }
        }
    }

    @Test func defaultCatalogueWorksOutOfTheBox() throws {
        let catalogue = DefaultCatalogue.catalogue
        #expect(Set(catalogue.offers.map(\.provider)) == Set(Provider.allCases))
        let regions = catalogue.pricedRegions
        for a in regions {
            for b in regions where a < b { #expect(catalogue.latency.measuredRTTMilliseconds(between: a, and: b) != nil) }
        }
        let participants = [RegionID(.aws, "us-east-1"), RegionID(.azure, "westeurope"), RegionID(.openstack, "DE1"),
                            RegionID(.gcp, "asia-southeast1"), RegionID(.azure, "westeurope")]
        let request = PlacementRequest(
            workload: FederationWorkload(participants: participants, modelBytes: 50e6, schedule: .roundsPerMonth(200)),
            constraints: PlacementConstraints(minVCPU: 2, minMemoryGB: 8, residency: .europeanUnion))
        let report = try AggregatorPlanner(catalogue: catalogue).plan(request)
        #expect(!report.front.isEmpty)
        Self.checkAgainstBruteForce(catalogue, request, report)
        #expect(report.baselines.allSatisfy { $0.option != nil })
    }
}
