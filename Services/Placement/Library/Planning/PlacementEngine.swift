import CumulusAPI
import CumulusKit
import Foundation
import PlacementCore

/// Answers a ``PlacementQuestion`` with PlacementCore and renders the answer as API views.
///
/// Single mode: ``AggregatorPlanner``'s exact Pareto front over every feasible (provider,
/// region, instance type), the weighted recommendation, the knee, the three baselines and the
/// savings against them. Hierarchical mode: ``HierarchicalPlanner``'s NSGA-II front (with its
/// hypervolume and evaluations), recommended and knee points chosen on that front the same way,
/// and the single-aggregator baselines for the same workload beside them, so a hierarchy has to
/// show what it saves over a naive single choice.
struct PlacementEngine: Sendable {
    /// The models' month (see PlacementCore's CostModel).
    static let hoursPerMonth = 730.0

    struct Answer: Sendable {
        var roundsPerMonth: Double
        var front: [PlacementPointView]
        var recommended: PlacementPointView?
        var knee: PlacementPointView?
        var costFirst: PlacementPointView?
        var latencyFirst: PlacementPointView?
        var baselines: [BaselineView]
        var savings: [SavingsView]
        var evaluatedOffers: Int?
        var feasibleOffers: Int?
        var exclusions: [ExclusionView]
        var evolution: EvolutionView?
    }

    func answer(_ question: PlacementQuestion, catalogue: CloudCatalogue) throws -> Answer {
        let single = AggregatorPlanner(catalogue: catalogue, hoursPerMonth: Self.hoursPerMonth)
        let report = try Self.mapping { () throws(PlacementError) -> PlacementReport in
            try single.plan(PlacementRequest(workload: question.workload, constraints: question.constraints,
                                             preference: question.preference, baselineSeed: question.baselineSeed))
        }
        let months = question.rounds.map { Double($0) / report.roundsPerMonth }
        switch question.mode {
        case .single:
            let front = report.front.enumerated().map { Self.point($0.element, frontIndex: $0.offset, months: months) }
            func onFront(_ option: PlacementOption?) -> PlacementPointView? {
                guard let option else { return nil }
                return Self.point(option, frontIndex: report.front.firstIndex(of: option), months: months)
            }
            return Answer(
                roundsPerMonth: report.roundsPerMonth, front: front, recommended: onFront(report.recommended), knee: onFront(report.knee),
                costFirst: onFront(report.costFirst), latencyFirst: onFront(report.latencyFirst),
                baselines: report.baselines.map { Self.baseline($0, months: months, front: report.front) },
                savings: report.savings.map {
                    SavingsView(point: $0.point.rawValue, baseline: Self.baselineKey($0.baseline), costUSD: $0.costUSD, costPercent: $0.costPercent,
                                roundSeconds: $0.roundTimeSeconds, roundPercent: $0.roundTimePercent)
                },
                evaluatedOffers: report.evaluatedOffers, feasibleOffers: report.feasibleOffers,
                exclusions: report.exclusions.map { ExclusionView(reason: $0.kind.rawValue, count: $0.count) }, evolution: nil)
        case .hierarchical:
            guard let settings = question.hierarchical else { throw Problem.invalidField("hierarchical", "mode hierarchical needs hierarchical settings") }
            let planner = HierarchicalPlanner(catalogue: catalogue, hoursPerMonth: Self.hoursPerMonth)
            let result = try Self.mapping { () throws(PlacementError) -> HierarchicalResult in
                try planner.optimise(HierarchicalRequest(workload: question.workload, constraints: question.constraints,
                                                         regionalCount: settings.regionalCount), configuration: settings.configuration)
            }
            let objectives = result.front.map(\.objectives)
            let front = result.front.enumerated().map { Self.point($0.element, frontIndex: $0.offset, months: months) }
            let recommended = FrontSelection.weighted(objectives, preference: question.preference).map { front[$0] }
            let knee = FrontSelection.knee(objectives).map { front[$0] }
            let selected: [(String, PlacementPointView?)] = [("recommended", recommended), ("knee", knee),
                                                             ("costFirst", front.first), ("latencyFirst", front.last)]
            var savings: [SavingsView] = []
            for (name, point) in selected {
                guard let point else { continue }
                for baseline in report.baselines {
                    guard let reference = baseline.option else { continue }
                    savings.append(Self.savings(point: name, point, baseline: Self.baselineKey(baseline.kind), against: reference))
                }
            }
            return Answer(
                roundsPerMonth: report.roundsPerMonth, front: front, recommended: recommended, knee: knee,
                costFirst: front.first, latencyFirst: front.last,
                baselines: report.baselines.map { Self.baseline($0, months: months, front: []) }, savings: savings,
                evaluatedOffers: nil, feasibleOffers: nil,
                exclusions: result.excludedRegions.map { ExclusionView(reason: $0.kind.rawValue, count: $0.count) },
                evolution: EvolutionView(
                    regionalCount: settings.regionalCount, populationSize: settings.configuration.populationSize,
                    generations: settings.configuration.generations, seed: settings.configuration.seed, evaluations: result.evaluations,
                    hypervolume: result.hypervolume, normalisedHypervolume: result.normalisedHypervolume,
                    hypervolumeHistory: result.hypervolumeHistory, referenceCostUSD: result.referencePoint.cost,
                    referenceRoundSeconds: result.referencePoint.time, candidateRegions: result.candidateRegions.map(Self.region)))
        }
    }

    // MARK: - Views

    static func region(_ id: RegionID) -> CloudRegion { CloudRegion(provider: id.provider.rawValue, region: id.name) }

    static func site(_ offer: InstanceOffer) -> AggregatorSite {
        AggregatorSite(provider: offer.provider.rawValue, region: offer.region.name, instanceType: offer.instanceType,
                       vCPU: offer.vCPU, memoryGB: offer.memoryGB, hourlyUSD: offer.hourlyUSD)
    }

    static func cost(_ cost: CostBreakdown) -> CostBreakdownView {
        CostBreakdownView(instanceUSD: cost.instanceUSD, aggregatorEgressUSD: cost.aggregatorEgressUSD, participantEgressUSD: cost.participantEgressUSD)
    }

    static func point(_ option: PlacementOption, frontIndex: Int?, months: Double?) -> PlacementPointView {
        PlacementPointView(frontIndex: frontIndex, site: site(option.offer), monthlyCostUSD: option.cost.totalUSD, cost: cost(option.cost),
                           roundSeconds: option.roundTime.seconds, bottleneck: region(option.roundTime.bottleneck),
                           campaignCostUSD: months.map { option.cost.totalUSD * $0 })
    }

    static func point(_ placement: HierarchicalPlacement, frontIndex: Int, months: Double?) -> PlacementPointView {
        PlacementPointView(frontIndex: frontIndex, site: site(placement.global), regional: placement.regional.map(site), assignment: placement.assignment,
                           monthlyCostUSD: placement.cost.totalUSD, cost: cost(placement.cost), roundSeconds: placement.roundTime.seconds,
                           bottleneck: region(placement.roundTime.bottleneck), campaignCostUSD: months.map { placement.cost.totalUSD * $0 })
    }

    static func baselineKey(_ kind: Baseline.Kind) -> String {
        switch kind {
        case .cheapestInstance: "cheapestInstance"
        case .seededRandom: "random"
        case .mostCommonParticipantRegion: "mostCommonParticipantRegion"
        }
    }

    static func baseline(_ baseline: Baseline, months: Double?, front: [PlacementOption]) -> BaselineView {
        switch baseline.outcome {
        case let .option(option):
            BaselineView(kind: baselineKey(baseline.kind), label: baseline.kind.description,
                         option: point(option, frontIndex: front.firstIndex(of: option), months: months), unavailable: nil)
        case let .notFeasible(reason):
            BaselineView(kind: baselineKey(baseline.kind), label: baseline.kind.description, option: nil, unavailable: reason.description)
        }
    }

    /// The same arithmetic as PlacementCore's ``Savings``, for a hierarchical point.
    static func savings(point name: String, _ point: PlacementPointView, baseline: String, against reference: PlacementOption) -> SavingsView {
        let baseCost = reference.cost.totalUSD, baseTime = reference.roundTime.seconds
        let costUSD = baseCost - point.monthlyCostUSD, seconds = baseTime - point.roundSeconds
        return SavingsView(point: name, baseline: baseline, costUSD: costUSD, costPercent: baseCost > 0 ? costUSD / baseCost * 100 : 0,
                           roundSeconds: seconds, roundPercent: baseTime > 0 ? seconds / baseTime * 100 : 0)
    }

    /// PlacementCore's refusals as problems naming the request field.
    static func mapping<T>(_ body: () throws(PlacementError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .noParticipants: throw Problem.invalidField("participants", "no participant location is known", limit: "1")
            case let .invalidSize(field, value): throw Problem.invalidField(field, "must be a finite size >= 0; got \(value)")
            case .invalidSchedule: throw Problem.invalidField("roundIntervalSeconds", "the round frequency must be finite and positive")
            case let .preferenceOutOfRange(value): throw Problem.invalidField("preference", "must be 0 to 1; got \(value)", limit: "0 to 1")
            case let .invalidConstraint(name, value): throw Problem.invalidField("constraints.\(name)", "must be >= 0; got \(value)", limit: ">= 0")
            case let .invalidRegionalCount(k): throw Problem.invalidField("hierarchical.regionalCount", "must be >= 1; got \(k)", limit: ">= 1")
            case let .invalidConfiguration(field, value, requirement):
                throw Problem.invalidField("hierarchical.\(field)", "must be \(requirement); got \(value)", limit: requirement)
            case .noCandidateRegion:
                throw Problem(.unprocessableContent, detail: "\(error); relax the constraints",
                              errors: [.init(field: "constraints", reason: error.description, limit: nil)])
            }
        }
    }
}
