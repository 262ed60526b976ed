import PlacementCore
import PropertyBased
import Testing
@testable import CostsCore

@Suite struct EstimateTests {
    typealias F = Fixtures
    static let estimator = Estimator(catalogue: F.catalogue)

    /// 4 vCPU / 16 GB for 100 h, 10 rounds of a 1 GB model (updates 1 GB too), one participant
    /// in each of aws:us-east-1, aws:eu-central-1 and gcp:europe-west3.
    static func template(residency: Residency = .anywhere, providers: Set<Provider>? = nil) -> EstimateTemplate {
        EstimateTemplate(
            resources: ResourceRequirement(vCPU: 4, memoryGB: 16), hours: 100,
            participants: [F.usEast, F.frankfurt, F.gcpFrankfurt], rounds: 10, modelBytes: 1_000_000_000,
            allowedProviders: providers, residency: residency)
    }

    @Test func everyRegionPricedCheapestFirst() throws {
        let estimate = try Self.estimator.estimate(Self.template())
        // Aggregator in aws:us-east-1 (m5.xlarge $0.192/h): instance 0.192 × 100 = $19.20.
        //   Per round, down (billed to the aggregator): us-east 0 + eu-central 0.02 + GCP 0.09 = 0.11;
        //   up (billed to participants): 0 + 0.02 (AWS inter-region) + 0.12 (GCP internet) = 0.14.
        //   × 10 rounds: $1.10 + $1.40 = $2.50 egress; total $21.70; egress 2.5/21.7 = 11.5 % → 12 %.
        // gcp:europe-west3 (n2-standard-4 $0.20/h): $20.00; down 0.12 + 0.12 + 0 = 0.24,
        //   up 0.09 + 0.09 + 0 = 0.18; × 10 = $4.20; total $24.20; egress 17.4 % → 17 %.
        // aws:eu-central-1 (m5.xlarge $0.23/h): $23.00; egress as us-east-1, $2.50; total $25.50.
        #expect(estimate.options.map(\.region) == [F.usEast, F.gcpFrankfurt, F.frankfurt])
        #expect(estimate.options.map(\.total) == [Money(dollars: 21, cents: 70), Money(dollars: 24, cents: 20), Money(dollars: 25, cents: 50)])
        let best = try #require(estimate.recommended)
        #expect(best.offer.instanceType == "m5.xlarge")
        #expect(best.instance == Money(dollars: 19, cents: 20))
        #expect(best.aggregatorEgress == Money(dollars: 1, cents: 10))
        #expect(best.participantEgress == Money(dollars: 1, cents: 40))
        #expect(best.egressPercent == 12)
        #expect(best.roundTimeSeconds != nil)
        #expect(estimate.reason == "cheapest offer meeting 4 vCPU / 16 GB in any region: m5.xlarge in aws:us-east-1 at $21.70 "
            + "for 100 h and 10 rounds; egress is 12 % of the cost; next allowed: gcp:europe-west3 at $2.50 more")
    }

    @Test func recommendationRespectsResidencyAndSaysWhatItSkipped() throws {
        let estimate = try Self.estimator.estimate(Self.template(residency: .europeanUnion))
        // us-east-1 is still priced (for comparison) but excluded; the EU options stay in order.
        #expect(estimate.options.map(\.isAllowed) == [false, true, true])
        #expect(estimate.recommended?.region == F.gcpFrankfurt)
        #expect(estimate.reason == "cheapest offer meeting 4 vCPU / 16 GB in an allowed region: n2-standard-4 in "
            + "gcp:europe-west3 at $24.20 for 100 h and 10 rounds; egress is 17 % of the cost; 1 cheaper option is not "
            + "allowed (cheapest: aws:us-east-1 at $21.70, region aws:us-east-1 is outside the residency rule); "
            + "next allowed: aws:eu-central-1 at $1.30 more")
    }

    @Test func noOptionSaysWhy() throws {
        let gpu = EstimateTemplate(resources: ResourceRequirement(vCPU: 4, memoryGB: 16, gpu: GPURequirement(count: 1)), hours: 10,
                                   participants: [F.usEast], rounds: 1, modelBytes: 0)
        let gpuEstimate = try Self.estimator.estimate(gpu)
        #expect(gpuEstimate.options.map(\.offer.instanceType) == ["g4dn.xlarge"])
        #expect(gpuEstimate.regionsWithoutOffer == [F.frankfurt, F.gcpFrankfurt])

        var huge = gpu
        huge.resources = ResourceRequirement(vCPU: 64, memoryGB: 16)
        let none = try Self.estimator.estimate(huge)
        #expect(none.recommended == nil && none.options.isEmpty)
        #expect(none.reason == "no offer in the catalogue meets 64 vCPU / 16 GB (3 regions checked)")

        let azureOnly = try Self.estimator.estimate(Self.template(providers: [.azure]))
        #expect(azureOnly.recommended == nil)
        #expect(azureOnly.reason == "no allowed region has an offer meeting 4 vCPU / 16 GB; 3 regions that do are excluded (3 × providerNotAllowed)")
    }

    @Test func invalidTemplatesAreRefused() {
        var template = Self.template()
        template.hours = -1
        #expect(throws: EstimateError.self) { try Self.estimator.estimate(template) }
        template = Self.template()
        template.modelBytes = -1
        #expect(throws: EstimateError.self) { try Self.estimator.estimate(template) }
    }

    /// The wizard is PlacementCore's cost model: the same region and offer cost the same there.
    @Test func agreesWithThePlacementCostModel() throws {
        let estimate = try Self.estimator.estimate(Self.template())
        let planner = AggregatorPlanner(catalogue: F.catalogue, hoursPerMonth: 100)
        let workload = FederationWorkload(participants: Self.template().participants, modelBytes: 1e9, schedule: .roundsPerMonth(10))
        for option in estimate.options {
            let placed = try planner.evaluate(option.offer, for: workload).get()
            #expect(Money(approximately: placed.cost.totalUSD) == option.total)
            #expect(placed.roundTime.seconds == option.roundTimeSeconds)
        }
    }

    @Test func cheapestFirstAndRecommendedIsTheCheapestAllowed() async {
        let regions = [F.usEast, F.frankfurt, F.gcpFrankfurt, F.mumbai]
        let input = zip(
            Gen.element(of: regions).compactMap { $0 }.array(of: 0...6),
            Gen.int(in: 1...8), Gen.int64(in: 0...5_000_000_000), Gen.element(of: [Provider.aws, .gcp]).compactMap { $0 }.set(ofAtMost: 2))
        await propertyCheck(count: 100, input: input) { participants, vCPU, bytes, providers in
            let template = EstimateTemplate(
                resources: ResourceRequirement(vCPU: vCPU, memoryGB: 4), hours: 24, participants: participants, rounds: 5,
                modelBytes: bytes, allowedProviders: providers)
            guard let estimate = try? Self.estimator.estimate(template) else {
                Issue.record("valid template refused")
                return
            }
            #expect(zip(estimate.options, estimate.options.dropFirst()).allSatisfy { $0.total <= $1.total })
            #expect(estimate.recommended?.total == estimate.options.filter(\.isAllowed).map(\.total).min())
            #expect(estimate.options.allSatisfy { $0.isAllowed == providers.contains($0.region.provider) })
            #expect(estimate.options.count + estimate.regionsWithoutOffer.count == F.catalogue.pricedRegions.count)
            #expect(estimate.options.allSatisfy { $0.total == $0.instance + $0.aggregatorEgress + $0.participantEgress })
        }
    }
}
