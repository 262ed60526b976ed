import Foundation
import PlacementCore
import Testing
@testable import CostsCore

@Suite struct PricingTests {
    typealias F = Fixtures

    @Test func nodeHoursAtTheHourlyPrice() throws {
        // m5.xlarge in us-east-1 at $0.192/h, 10:00 → 12:30 = 2.5 h:
        // 0.192 × 2.5 = $0.48 = 480,000,000 n$.
        let event = F.node("e1", .instanceType("m5.xlarge"), from: F.at(2025, 3, 1, 10), to: F.at(2025, 3, 1, 12, 30))
        let priced = try #require(F.priced(event))
        #expect(priced.lineItems.count == 1)
        let item = try #require(priced.lineItems.first)
        #expect(item.amount == Money(nanoDollars: 480_000_000))
        #expect(item.component == .participants)
        #expect(item.organisation == "org-1")
        #expect(item.region == F.usEast && item.provider == .aws)
        #expect(item.quantity == 9_000_000) // 2.5 h in ms
        #expect(item.rate == PriceRate(nanoDollarsPerUnit: 192_000_000, unit: .hour))
        #expect(item.instanceType == "m5.xlarge")
        #expect(priced.substitution == nil)
    }

    @Test func aggregatorHoursAreTheAggregatorComponent() throws {
        // n2-standard-4 in gcp:europe-west3 at $0.20/h for 45 min: 0.2 × 0.75 = $0.15.
        let event = F.aggregator("a1", region: F.gcpFrankfurt, .instanceType("n2-standard-4"),
                                 from: F.at(2025, 3, 1, 8), to: F.at(2025, 3, 1, 8, 45))
        let item = try #require(F.priced(event)?.lineItems.first)
        #expect(item.amount == Money(dollars: 0, cents: 15))
        #expect(item.component == .aggregator)
        #expect(item.organisation == nil)
    }

    @Test func intervalCrossingMidnightIsSplitBetweenDays() throws {
        // m5.large in eu-central-1 at $0.115/h, 2025-03-01 22:30 → 03-02 01:15 (2.75 h):
        // 1st: 1.5 h × 0.115 = $0.1725; 2nd: 1.25 h × 0.115 = $0.14375; total $0.31625.
        let event = F.node("e2", region: F.frankfurt, .instanceType("m5.large"),
                           from: F.at(2025, 3, 1, 22, 30), to: F.at(2025, 3, 2, 1, 15))
        let priced = try #require(F.priced(event))
        #expect(priced.lineItems.map(\.day.description) == ["2025-03-01", "2025-03-02"])
        #expect(priced.lineItems.map(\.amount) == [Money(nanoDollars: 172_500_000), Money(nanoDollars: 143_750_000)])
        #expect(priced.lineItems.map(\.id.index) == [0, 1])
        #expect(priced.total == Money(nanoDollars: 316_250_000))
    }

    @Test func splitDaysAddUpToTheRoundedWhole() throws {
        // m5.large in us-east-1 at $0.096/h = 96,000,000 n$/h, 23:59:59.999 → 00:00:00.001 (2 ms).
        // Whole: 96e6 × 2 / 3.6e6 = 53.33 → 53 n$. Day 1: R(96e6 × 1 / 3.6e6) = R(26.67) = 27;
        // day 2: 53 − 27 = 26. (Rounding each day alone would bill 27 + 27 = 54.)
        let event = F.node("e3", .instanceType("m5.large"), from: F.at(2025, 3, 1, 23, 59, 59, ms: 999), to: F.at(2025, 3, 2, 0, 0, 0, ms: 1))
        let priced = try #require(F.priced(event))
        #expect(priced.lineItems.map(\.amount.nanoDollars) == [27, 26])
    }

    @Test func unknownInstanceTypeIsSubstitutedBySize() throws {
        // m6i.xlarge is not priced in us-east-1; offers with ≥ 4 vCPU / 16 GB there:
        // m5.xlarge $0.192, r5.xlarge $0.252, g4dn.xlarge $0.526 → m5.xlarge; 1 h = $0.192.
        let event = F.node("e4", .instanceType("m6i.xlarge", resources: ResourceRequirement(vCPU: 4, memoryGB: 16)),
                           from: F.at(2025, 3, 1, 1), to: F.at(2025, 3, 1, 2))
        let priced = try #require(F.priced(event))
        let substitution = try #require(priced.substitution)
        #expect(substitution.requestedInstanceType == "m6i.xlarge")
        #expect(substitution.substituteInstanceType == "m5.xlarge")
        #expect(substitution.description.contains("m6i.xlarge is not in the catalogue for aws:us-east-1"))
        #expect(priced.total == Money(nanoDollars: 192_000_000))
        #expect(priced.lineItems.first?.instanceType == "m5.xlarge")
    }

    @Test func sizeOnlyAndGPUSubstitution() throws {
        // Size only, 2 vCPU / 8 GB in gcp:europe-west3 → e2-standard-2 at $0.08; 30 min = $0.04.
        let bySize = F.node("e5", region: F.gcpFrankfurt, .resources(vCPU: 2, memoryGB: 8),
                            from: F.at(2025, 3, 1, 1), to: F.at(2025, 3, 1, 1, 30))
        let priced = try #require(F.priced(bySize))
        #expect(priced.substitution?.requestedInstanceType == nil)
        #expect(priced.substitution?.substituteInstanceType == "e2-standard-2")
        #expect(priced.total == Money(dollars: 0, cents: 4))
        // A T4 GPU is needed: only g4dn.xlarge qualifies, $0.526 × 2 h = $1.052.
        let gpu = F.node("e6", .resources(vCPU: 1, memoryGB: 1, gpu: GPURequirement(count: 1, model: "t4")),
                         from: F.at(2025, 3, 1, 1), to: F.at(2025, 3, 1, 3))
        let gpuPriced = try #require(F.priced(gpu))
        #expect(gpuPriced.substitution?.substituteInstanceType == "g4dn.xlarge")
        #expect(gpuPriced.total == Money(nanoDollars: 1_052_000_000))
    }

    @Test func transfersPayTheSendersTariff() throws {
        let fiveGB: Int64 = 5_000_000_000
        func amount(_ source: RegionID, _ destination: TransferDestination) throws -> Money {
            try #require(F.priced(F.transfer("t", from: source, to: destination, bytes: fiveGB, at: F.at(2025, 3, 1, 12)))).total
        }
        // AWS → AWS other region: 5 GB × $0.02 = $0.10.
        #expect(try amount(F.usEast, .region(F.frankfurt)) == Money(dollars: 0, cents: 10))
        // AWS → GCP is internet traffic for AWS: 5 × $0.09 = $0.45; so is .internet.
        #expect(try amount(F.frankfurt, .region(F.gcpFrankfurt)) == Money(dollars: 0, cents: 45))
        #expect(try amount(F.usEast, .internet) == Money(dollars: 0, cents: 45))
        // GCP → internet: 5 × $0.12 = $0.60.
        #expect(try amount(F.gcpFrankfurt, .internet) == Money(dollars: 0, cents: 60))
        // Within a region: free by the tariff (not unpriceable: it is priced, at zero).
        #expect(try amount(F.usEast, .region(F.usEast)) == .zero)
        // 1 kB at $0.02/GB: 20,000,000 n$ × 1,000 / 10⁹ = 20 n$ — not rounded away.
        let tiny = try #require(F.priced(F.transfer("t2", from: F.usEast, to: .region(F.frankfurt), bytes: 1_000, at: F.at(2025, 3, 1))))
        #expect(tiny.total == Money(nanoDollars: 20))
        let item = try #require(tiny.lineItems.first)
        #expect(item.component == .dataTransfer && item.region == F.usEast && item.day.description == "2025-03-01")
    }

    @Test(arguments: [
        (F.node("u1", region: F.mumbai, .instanceType("m5.large"), from: F.at(2025, 3, 1), to: F.at(2025, 3, 1, 1)),
         "region-not-in-catalogue"),
        (F.node("u2", .instanceType("m6i.xlarge"), from: F.at(2025, 3, 1), to: F.at(2025, 3, 1, 1)),
         "instance-type-not-in-catalogue"),
        (F.node("u3", .instanceType("x2.huge", resources: ResourceRequirement(vCPU: 64, memoryGB: 512)), from: F.at(2025, 3, 1), to: F.at(2025, 3, 1, 1)),
         "no-offer-meets-requirement"),
        (F.node("u4", MachineSpec(), from: F.at(2025, 3, 1), to: F.at(2025, 3, 1, 1)), "no-machine-description"),
        (F.node("u5", .resources(vCPU: -1, memoryGB: 4), from: F.at(2025, 3, 1), to: F.at(2025, 3, 1, 1)), "invalid-resources"),
        (F.node("u6", .instanceType("m5.large"), from: F.at(2025, 3, 2), to: F.at(2025, 3, 1)), "invalid-interval"),
        (F.transfer("u7", from: F.usEast, to: .internet, bytes: -5, at: F.at(2025, 3, 1)), "negative-bytes"),
        (F.aggregator("u8", .instanceType("g4dn.xlarge"), from: Timestamp(millisecondsSince1970: 0),
                      to: Timestamp(millisecondsSince1970: 90_000_000_000_000_000)), "amount-too-large"),
    ])
    func unpriceableEventsSayWhy(event: UsageEvent, code: String) throws {
        let outcome = F.pricer.price(event)
        let unpriceable = try #require(outcome.unpriceable, "\(event.id) was priced: \(outcome)")
        #expect(unpriceable.reason.code == code)
        #expect(unpriceable.eventID == event.id && unpriceable.federation == "fed-1")
        #expect(!unpriceable.reason.description.isEmpty)
        #expect(outcome.priced == nil)
    }

    @Test func unpriceableReasonsNameTheFigures() {
        let reason = F.pricer.price(F.node("u", .instanceType("x2.huge", resources: ResourceRequirement(vCPU: 64, memoryGB: 512)),
                                           from: F.at(2025, 3, 1), to: F.at(2025, 3, 1, 1))).unpriceable?.reason
        #expect(reason?.description == "instance type x2.huge is not in the catalogue for aws:us-east-1, and no offer in aws:us-east-1 has at least 64 vCPU / 512 GB")
    }

    @Test func eventsRoundTripThroughJSON() throws {
        let events = [
            F.node("e1", .instanceType("m5.xlarge", resources: ResourceRequirement(vCPU: 4, memoryGB: 16)), from: F.at(2025, 3, 1), to: F.at(2025, 3, 1, 1)),
            F.aggregator("e2", .resources(vCPU: 2, memoryGB: 4, gpu: GPURequirement(count: 1)), from: F.at(2025, 3, 1), to: F.at(2025, 3, 1, 1)),
            F.transfer("e3", from: F.usEast, to: .internet, bytes: 12, at: F.at(2025, 3, 1)),
            F.transfer("e4", from: F.usEast, to: .region(F.frankfurt), bytes: 12, at: F.at(2025, 3, 1)),
        ]
        let data = try JSONEncoder().encode(events)
        #expect(try JSONDecoder().decode([UsageEvent].self, from: data) == events)
    }

    @Test func theDocumentedWireFormatDecodes() throws {
        let json = #"""
        {"schemaVersion": 1, "id": "evt-9", "federation": "fed-1", "kind": "nodeHours",
         "organisation": "org-1", "node": "node-7", "region": {"provider": "aws", "name": "eu-central-1"},
         "machine": {"instanceType": "m5.xlarge"},
         "interval": {"start": 1740870000000, "end": 1740873600000}}
        """#
        let event = try JSONDecoder().decode(UsageEvent.self, from: Data(json.utf8))
        guard case let .nodeHours(usage) = event.usage else {
            Issue.record("decoded as \(event.usage.kind)")
            return
        }
        #expect(usage.region == F.frankfurt && usage.node == "node-7" && usage.machine.instanceType == "m5.xlarge")
        // 1,740,870,000,000 ms = 2025-03-01T23:00:00Z; one hour later is the 2nd, 00:00.
        #expect(usage.interval.start.description == "2025-03-01T23:00:00.000Z")
        #expect(usage.interval.milliseconds == 3_600_000)
    }

    @Test func newerSchemaVersionsAndUnknownKindsAreRefused() {
        let future = #"{"schemaVersion": 2, "id": "e", "federation": "f", "kind": "nodeHours"}"#
        #expect(throws: UsageEventDecodingError.unsupportedSchemaVersion(2, supported: 1...1)) {
            try JSONDecoder().decode(UsageEvent.self, from: Data(future.utf8))
        }
        let unknown = #"{"schemaVersion": 1, "id": "e", "federation": "f", "kind": "gpuHours"}"#
        #expect(throws: UsageEventDecodingError.unknownKind("gpuHours", eventID: "e")) {
            try JSONDecoder().decode(UsageEvent.self, from: Data(unknown.utf8))
        }
    }
}
