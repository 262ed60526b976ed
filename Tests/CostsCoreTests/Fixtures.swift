import PlacementCore
@testable import CostsCore

/// A small catalogue with round prices, so every expected amount can be worked out by hand.
enum Fixtures {
    static let usEast = RegionID(.aws, "us-east-1")
    static let frankfurt = RegionID(.aws, "eu-central-1")
    static let gcpFrankfurt = RegionID(.gcp, "europe-west3")
    static let mumbai = RegionID(.aws, "ap-south-1") // priced nowhere here

    static func offer(_ region: RegionID, _ type: String, _ vCPU: Int, _ memory: Double, _ usd: Double, gpu: GPUSpec? = nil) -> InstanceOffer {
        InstanceOffer(region: Region(known: region), instanceType: type, vCPU: vCPU, memoryGB: memory, gpu: gpu, hourlyUSD: usd)
    }

    static let offers: [InstanceOffer] = [
        offer(usEast, "m5.large", 2, 8, 0.096),
        offer(usEast, "m5.xlarge", 4, 16, 0.192),
        offer(usEast, "r5.xlarge", 4, 32, 0.252),
        offer(usEast, "g4dn.xlarge", 4, 16, 0.526, gpu: GPUSpec(model: "T4", count: 1)),
        offer(frankfurt, "m5.large", 2, 8, 0.115),
        offer(frankfurt, "m5.xlarge", 4, 16, 0.23),
        offer(gcpFrankfurt, "e2-standard-2", 2, 8, 0.08),
        offer(gcpFrankfurt, "n2-standard-4", 4, 16, 0.2),
    ]

    /// Sender pays: AWS 0.02 $/GB to another AWS region, 0.09 to the internet (and so to GCP);
    /// GCP 0.02 and 0.12.
    static let egress = EgressPriceTable(providers: [
        .aws: EgressTariff(interRegionPerGB: 0.02, internetPerGB: 0.09),
        .gcp: EgressTariff(interRegionPerGB: 0.02, internetPerGB: 0.12),
    ])

    static let latency: LatencyMatrix = {
        var matrix = LatencyMatrix()
        matrix.record(usEast, frankfurt, rttMilliseconds: 90)
        matrix.record(usEast, gcpFrankfurt, rttMilliseconds: 92)
        matrix.record(frankfurt, gcpFrankfurt, rttMilliseconds: 2)
        return matrix
    }()

    static let catalogue = CloudCatalogue(offers: offers, egress: egress, latency: latency)
    static let pricer = UsagePricer(catalogue: catalogue)

    static func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0, ms: Int = 0) -> Timestamp {
        Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: ms)
    }

    static func node(
        _ id: String, federation: String = "fed-1", region: RegionID = usEast, _ machine: MachineSpec,
        from start: Timestamp, to end: Timestamp
    ) -> UsageEvent {
        UsageEvent(id: id, federation: federation, usage: .nodeHours(NodeUsage(
            organisation: "org-1", node: "node-1", region: region, machine: machine,
            interval: UsageInterval(start: start, end: end))))
    }

    static func aggregator(
        _ id: String, federation: String = "fed-1", region: RegionID = usEast, _ machine: MachineSpec,
        from start: Timestamp, to end: Timestamp
    ) -> UsageEvent {
        UsageEvent(id: id, federation: federation, usage: .aggregatorHours(AggregatorUsage(
            deployment: "dep-1", region: region, machine: machine, interval: UsageInterval(start: start, end: end))))
    }

    static func transfer(
        _ id: String, federation: String = "fed-1", from source: RegionID, to destination: TransferDestination,
        bytes: Int64, at time: Timestamp
    ) -> UsageEvent {
        UsageEvent(id: id, federation: federation, usage: .bytesMoved(TransferUsage(
            organisation: "org-1", source: source, destination: destination, bytes: bytes, at: time)))
    }

    static func priced(_ event: UsageEvent) -> PricedUsage? {
        Self.pricer.price(event).priced
    }

}

/// A tiny seeded generator for shuffles and replays inside property tests: the property
/// framework draws the seed (and prints it on failure), this expands it deterministically.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func shuffle<T>(_ values: [T]) -> [T] {
        var values = values
        for i in values.indices.reversed() where i > 0 { values.swapAt(i, below(i + 1)) }
        return values
    }
}
