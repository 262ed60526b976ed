import Testing
@testable import PlacementCore

/// The cost and round-time models on a hand-made catalogue, against their written definitions.
@Suite struct ModelTests {
    static let east = RegionID(.aws, "us-east-1")
    static let europe = RegionID(.gcp, "europe-west4")
    static let tokyo = RegionID(.aws, "ap-northeast-1")

    static let catalogue: CloudCatalogue = {
        var latency = LatencyMatrix()
        latency.record(east, europe, rttMilliseconds: 80)
        latency.record(east, tokyo, rttMilliseconds: 150)
        latency.record(europe, tokyo, rttMilliseconds: 230)
        let offers = [
            InstanceOffer(region: Region(known: east), instanceType: "m", vCPU: 2, memoryGB: 8, hourlyUSD: 0.1),
            InstanceOffer(region: Region(known: europe), instanceType: "n", vCPU: 4, memoryGB: 16, hourlyUSD: 0.2),
        ]
        return CloudCatalogue(offers: offers, egress: .approximateDefaults, latency: latency)
    }()

    static let workload = FederationWorkload(
        participants: [east, tokyo], modelBytes: 1e9, updateBytes: 5e8, schedule: .roundsPerMonth(100))

    @Test func oneAggregatorCostsInstanceHoursPlusEgressBilledToEachSender() throws {
        let option = try AggregatorPlanner(catalogue: Self.catalogue).evaluate(Self.catalogue.offers[0], for: Self.workload).get()
        let aws = EgressPriceTable.approximateDefaults.providers[.aws]!
        // Model down: 1 GB to the co-located participant (same region) and 1 GB to Tokyo
        // (AWS inter-region), billed to the aggregator. Updates up: 0.5 GB each, billed to the
        // participants at their own tariff (same region, then AWS inter-region).
        #expect(option.cost.instanceUSD == 0.1 * 730)
        #expect(Reference.close(option.cost.aggregatorEgressUSD, 100 * (1 * aws.sameRegionPerGB + 1 * aws.interRegionPerGB)))
        #expect(Reference.close(option.cost.participantEgressUSD, 100 * (0.5 * aws.sameRegionPerGB + 0.5 * aws.interRegionPerGB)))
    }

    @Test func roundTimeIsTheSlowestParticipantsRTTPlusBothTransfers() throws {
        let option = try AggregatorPlanner(catalogue: Self.catalogue).evaluate(Self.catalogue.offers[0], for: Self.workload).get()
        // Tokyo, 150 ms away: window-bound at 6 MiB per RTT. The co-located one is link-bound.
        let tokyoBitsPerSecond = 6.0 * 1024 * 1024 * 8 / 0.150
        let tokyo = 0.150 + 1.5e9 * 8 / tokyoBitsPerSecond
        let local = 0.001 + 1.5e9 * 8 / 1e9
        #expect(Reference.close(option.roundTime.seconds, max(tokyo, local)))
        #expect(option.roundTime.bottleneck == Self.tokyo)
    }

    @Test func crossProviderTrafficPaysInternetEgressBothWays() throws {
        let option = try AggregatorPlanner(catalogue: Self.catalogue).evaluate(Self.catalogue.offers[1], for: Self.workload).get()
        let gcp = EgressPriceTable.approximateDefaults.providers[.gcp]!
        let aws = EgressPriceTable.approximateDefaults.providers[.aws]!
        #expect(Reference.close(option.cost.aggregatorEgressUSD, 100 * 2 * gcp.internetPerGB))
        #expect(Reference.close(option.cost.participantEgressUSD, 100 * 2 * 0.5 * aws.internetPerGB))
    }

    @Test func egressTableAppliesTheSendersTariffByDestination() {
        let table = EgressPriceTable.approximateDefaults
        let saoPaulo = RegionID(.aws, "sa-east-1")
        #expect(table.pricePerGB(from: Self.east, to: Self.east) == 0)
        #expect(table.pricePerGB(from: Self.east, to: Self.tokyo) == table.providers[.aws]!.interRegionPerGB)
        #expect(table.pricePerGB(from: Self.east, to: Self.europe) == table.providers[.aws]!.internetPerGB)
        #expect(table.pricePerGB(from: Self.europe, to: Self.east) == table.providers[.gcp]!.internetPerGB)
        #expect(table.pricePerGB(from: saoPaulo, to: Self.east) == table.regionOverrides[saoPaulo]!.interRegionPerGB)
        #expect(table.pricePerGB(from: Self.east, to: saoPaulo) == table.providers[.aws]!.interRegionPerGB, "ingress is free")
    }

    @Test func aMissingLatencyMakesTheRegionInfeasibleWithThePairNamed() {
        let lonely = RegionID(.aws, "us-west-1")
        var workload = Self.workload
        workload.participants.append(lonely)
        let result = AggregatorPlanner(catalogue: Self.catalogue).evaluate(Self.catalogue.offers[0], for: workload)
        #expect(throws: Infeasibility.latencyUnknown(lonely, Self.east)) { try result.get() }
    }

    @Test func transferIsLinkBoundNearbyAndWindowBoundFarAway() {
        let model = TransferModel()
        let crossover = 6.0 * 1024 * 1024 * 8 / 1e9 * 1000   // RTT (ms) where the two limits meet
        #expect(model.throughputBitsPerSecond(rttMilliseconds: crossover / 2) == 1e9)
        #expect(Reference.close(model.throughputBitsPerSecond(rttMilliseconds: crossover * 2), 0.5e9))
        #expect(TransferModel(tcpWindowBytes: nil).throughputBitsPerSecond(rttMilliseconds: 300) == 1e9)
        #expect(model.transferSeconds(bytes: 1e9, rttMilliseconds: 0) == 8)
    }

    @Test func roundIntervalBecomesRoundsPerMonth() {
        #expect(RoundSchedule.interval(seconds: 3600).roundsPerMonth(hoursPerMonth: 730) == 730)
        #expect(RoundSchedule.roundsPerMonth(12).roundsPerMonth(hoursPerMonth: 730) == 12)
    }

    @Test func residencyRules() {
        let frankfurt = Region(known: RegionID(.aws, "eu-central-1"))
        let london = Region(known: RegionID(.gcp, "europe-west2"))
        let unknown = Region(RegionID(.openstack, "somewhere"))
        #expect(Residency.europeanUnion.permits(frankfurt))
        #expect(!Residency.europeanUnion.permits(london), "the UK is in Europe but not in the EU")
        #expect(Residency.continents([.europe]).permits(london))
        #expect(!Residency.continents([.europe]).permits(unknown), "unknown geography is excluded")
        #expect(Residency.anywhere.permits(unknown))
        #expect(KnownRegions.geography(of: RegionID(.aws, "eu-west-9"))?.continent == .europe, "guessed from the prefix")
        #expect(KnownRegions.geography(of: RegionID(.aws, "ap-southeast-2"))?.continent == .oceania)
    }
}
